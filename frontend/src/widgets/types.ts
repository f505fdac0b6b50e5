import type { ComponentType } from "react";
import type { State } from "../types";

export interface CustomSectionProps {
  state: State;
}

/** One widget family: its look, and custom inspector sections for widgets whose UI cannot be
 * generated from the catalogue's property schema. */
export interface FamilyModule {
  families: string[];
  color: string;
  icons: Record<string, string>;
  defaultIcon: string;
  sections?: Record<string, ComponentType<CustomSectionProps>>;
}
