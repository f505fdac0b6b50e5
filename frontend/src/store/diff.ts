import type { FlowDefinition, FlowDiff, State } from "../types";
import type { Mark } from "./derive";
import { offsetOf } from "./ops";

function logic(s: State): string {
  const { offset: _o, ...props } = s.properties ?? {};
  return JSON.stringify([s.type, s.transitions, props]);
}

/** Client-side diff (same shape as the API's), used when the server's diff is unavailable. */
export function diffDefinitions(a: FlowDefinition, b: FlowDefinition, from = 0, to = 0): FlowDiff {
  const A = new Map(a.states.map((s) => [s.name, s]));
  const B = new Map(b.states.map((s) => [s.name, s]));
  const diff: FlowDiff = {
    from,
    to,
    logic: { added: [], removed: [], changed: [], transitions: { added: [], removed: [] } },
    layout: { moved: [] },
  };
  for (const [n, s] of B) {
    const old = A.get(n);
    if (!old) diff.logic.added.push(n);
    else {
      if (logic(old) !== logic(s)) diff.logic.changed.push({ name: n, fields: [] });
      const o1 = offsetOf(old);
      const o2 = offsetOf(s);
      if (o1.x !== o2.x || o1.y !== o2.y) diff.layout.moved.push({ name: n, from: o1, to: o2 });
    }
  }
  for (const n of A.keys()) if (!B.has(n)) diff.logic.removed.push(n);
  return diff;
}

/** What the canvas draws for a diff: the newer definition plus ghosts of removed widgets. */
export function diffView(
  older: FlowDefinition,
  newer: FlowDefinition,
  diff: FlowDiff,
): { def: FlowDefinition; marks: Record<string, Mark> } {
  const marks: Record<string, Mark> = {};
  for (const m of diff.layout.moved) marks[m.name] = "moved";
  for (const c of diff.logic.changed) marks[c.name] = "changed";
  for (const n of diff.logic.added) marks[n] = "added";
  const removed = new Set(diff.logic.removed);
  for (const n of removed) marks[n] = "removed";
  const ghosts = older.states.filter((s) => removed.has(s.name) && !newer.states.some((x) => x.name === s.name));
  return { def: { ...newer, states: [...newer.states, ...ghosts] }, marks };
}
