import { conversations } from "./conversations";
import { flowControl } from "./flow-control";
import { legacy } from "./legacy";
import { messaging } from "./messaging";
import { products } from "./products";
import { tools } from "./tools";
import type { CustomSectionProps, FamilyModule } from "./types";
import { voice } from "./voice";
import { memo, type ComponentType } from "react";

const MODULES: FamilyModule[] = [flowControl, voice, messaging, tools, products, conversations, legacy];

function moduleFor(family: string): FamilyModule | undefined {
  return MODULES.find((m) => m.families.includes(family));
}

export function iconFor(type: string, family: string): string {
  for (const m of MODULES) if (m.icons[type]) return m.icons[type];
  return moduleFor(family)?.defaultIcon ?? "▢";
}

export function colorFor(family: string): string {
  return moduleFor(family)?.color ?? "#6b7280";
}

// Memoized once, at module scope: a section re-renders when its widget changes, not when the
// inspector around it does (e.g. while the widget's name is being typed).
const SECTIONS = new Map<string, ComponentType<CustomSectionProps>>();
for (const m of MODULES) {
  for (const [type, section] of Object.entries(m.sections ?? {})) if (!SECTIONS.has(type)) SECTIONS.set(type, memo(section));
}

export function customSection(type: string): ComponentType<CustomSectionProps> | undefined {
  return SECTIONS.get(type);
}
