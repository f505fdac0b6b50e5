// Automatic layout with elkjs (layered, top-down), returning new offsets per widget.
import ELK from "elkjs/lib/elk.bundled.js";
import type { FlowDefinition, Offset } from "../types";

const elk = new ELK();
const DEFAULT = { width: 220, height: 110 };

export async function layout(
  def: FlowDefinition,
  measured: Record<string, { width: number; height: number }>,
): Promise<Map<string, Offset>> {
  const names = new Set(def.states.map((s) => s.name));
  const graph = {
    id: "root",
    layoutOptions: {
      "elk.algorithm": "layered",
      "elk.direction": "DOWN",
      "elk.layered.spacing.nodeNodeBetweenLayers": "80",
      "elk.spacing.nodeNode": "50",
      "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
    },
    children: def.states.map((s) => ({ id: s.name, ...(measured[s.name] ?? DEFAULT) })),
    edges: def.states.flatMap((s) =>
      s.transitions
        .filter((t) => t.next && names.has(t.next))
        .map((t, i) => ({ id: `${s.name}:${i}:${t.event}`, sources: [s.name], targets: [t.next!] })),
    ),
  };
  const out = await elk.layout(graph);
  const positions = new Map<string, Offset>();
  for (const c of out.children ?? []) positions.set(c.id, { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) });
  return positions;
}
