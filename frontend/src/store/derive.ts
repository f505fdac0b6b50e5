// Nodes and edges are derived from the definition; object identity is preserved for
// widgets whose state did not change, so memoized node components skip re-rendering
// (this is what keeps a 2,000-widget canvas interactive while dragging).
import { Position, type Edge, type Node } from "@xyflow/react";
import type { CatalogueEntry, FlowDefinition, State } from "../types";
import { handleId, offsetOf } from "./ops";

export type Mark = "" | "added" | "removed" | "changed" | "moved" | "match";

export interface WidgetNodeData extends Record<string, unknown> {
  state: State;
  label: string;
  family: string;
  legacy: boolean;
  handles: { id: string; label: string }[];
  problems: string[];
  mark: Mark;
}

export type WidgetNode = Node<WidgetNodeData, "widget">;

export interface DeriveInput {
  def: FlowDefinition;
  catalogue: Record<string, CatalogueEntry>;
  selected: Set<string>;
  measured: Record<string, { width: number; height: number }>;
  problems: Record<string, string[]>;
  marks: Record<string, Mark>;
  /** Give unmeasured nodes an estimated size, so off-screen ones need not be rendered to be
   * measured (large flows with onlyRenderVisibleElements). */
  estimateSize?: boolean;
}

/** Output handles: one per transition (split: each match + noMatch), plus events not yet listed. */
function handlesFor(state: State, entry: CatalogueEntry | undefined): { id: string; label: string }[] {
  const repeatable = new Set(entry?.repeatable_events ?? []);
  const out: { id: string; label: string }[] = [];
  const seen = new Set<string>();
  state.transitions.forEach((t, i) => {
    const rep = repeatable.has(t.event);
    const id = handleId(t, i, rep);
    if (seen.has(id)) return;
    seen.add(id);
    let label = t.event;
    if (rep) {
      const c = t.conditions?.[0];
      label = c ? c.friendly_name || `${c.type} ${c.value}` : t.event;
    }
    out.push({ id, label });
  });
  for (const e of entry?.events ?? []) {
    if (!repeatable.has(e) && !seen.has(e)) {
      seen.add(e);
      out.push({ id: e, label: e });
    }
  }
  return out;
}

const EMPTY: string[] = [];

export class Deriver {
  private nodeCache = new Map<string, { key: unknown[]; node: WidgetNode }>();
  private edgeCache = new Map<string, { transitions: unknown; edges: Edge[] }>();
  private namesKey = "";
  private estimate: boolean | undefined = undefined;

  nodes(input: DeriveInput): WidgetNode[] {
    const { def, catalogue, selected, measured, problems, marks } = input;
    if (input.estimateSize !== this.estimate) {
      this.nodeCache.clear();
      this.estimate = input.estimateSize;
    }
    const next = new Map<string, { key: unknown[]; node: WidgetNode }>();
    const out = def.states.map((state) => {
      const entry = catalogue[state.type];
      const m = measured[state.name];
      const p = problems[state.name] ?? EMPTY;
      const mark = marks[state.name] ?? "";
      const sel = selected.has(state.name);
      const key = [state, entry, m, p, mark, sel];
      const hit = this.nodeCache.get(state.name);
      if (hit && hit.key.every((k, i) => k === key[i])) {
        next.set(state.name, hit);
        return hit.node;
      }
      const node: WidgetNode = {
        id: state.name,
        type: "widget",
        position: offsetOf(state),
        selected: sel,
        deletable: state.name !== def.initial_state,
        data: {
          state,
          label: entry?.label ?? state.type,
          family: entry?.family ?? "Unknown",
          legacy: entry?.legacy ?? false,
          handles: handlesFor(state, entry),
          problems: p,
          mark,
        },
      };
      if (m) node.measured = m;
      else if (input.estimateSize) {
        // Estimated size and handle positions: without handle bounds ReactFlow renders every
        // node once to measure it, which is what makes opening a huge flow slow. Measured
        // nodes drop these estimates and keep the real bounds.
        node.initialWidth = 220;
        node.initialHeight = 100;
        node.handles = [
          { id: "in", type: "target", position: Position.Top, x: 103, y: -4, width: 14, height: 8 },
          ...node.data.handles.map((h, i) => ({
            id: h.id, type: "source" as const, position: Position.Bottom,
            x: 20 + (i % 3) * 70, y: 40 + Math.floor(i / 3) * 26, width: 10, height: 10,
          })),
        ];
      }
      next.set(state.name, { key, node });
      return node;
    });
    this.nodeCache = next;
    return out;
  }

  edges(def: FlowDefinition, catalogue: Record<string, CatalogueEntry>, marks: Record<string, Mark> = {}): Edge[] {
    const all = new Set(def.states.map((s) => s.name));
    const namesKey = def.states.map((s) => s.name).join("\n");
    if (namesKey !== this.namesKey) this.edgeCache.clear();
    this.namesKey = namesKey;
    const out: Edge[] = [];
    const next = new Map<string, { transitions: unknown; edges: Edge[] }>();
    for (const s of def.states) {
      const hit = this.edgeCache.get(s.name);
      let edges: Edge[];
      if (hit && hit.transitions === s.transitions) {
        edges = hit.edges;
      } else {
        const repeatable = new Set(catalogue[s.type]?.repeatable_events ?? []);
        edges = [];
        s.transitions.forEach((t, i) => {
          if (!t.next || !all.has(t.next)) return;
          const h = handleId(t, i, repeatable.has(t.event));
          edges.push({ id: `${s.name}>${h}`, source: s.name, sourceHandle: h, target: t.next, type: "default" });
        });
      }
      next.set(s.name, { transitions: s.transitions, edges });
      out.push(...edges);
    }
    this.edgeCache = next;
    if (Object.keys(marks).length) {
      return out.map((e) => (marks[e.source] === "removed" ? { ...e, className: "edge-removed", animated: false } : e));
    }
    return out;
  }
}

