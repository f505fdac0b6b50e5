// Pure edits of a Split Based On's `match` transitions. Each `match` transition is a branch;
// all of its conditions must hold (AND). Indexes are positions in `transitions`.
import type { Condition, State, Transition } from "../../types";
// The operators come from the server's catalogue (see operators.ts), passed in as `ops`.
import { friendlyName, isValueless, type SplitOperators } from "./operators";

function newCondition(input: string, ops: SplitOperators, type = "equal_to", value = ""): Condition {
  const v = isValueless(ops, type) ? ops.valueless[type] : value;
  return { friendly_name: friendlyName(ops, type, v), arguments: [input], type, value: v };
}

/** True when the name is still the one the editor generates (so it follows type/value edits). */
function isAutoName(c: Condition, ops: SplitOperators): boolean {
  return !c.friendly_name || c.friendly_name === friendlyName(ops, c.type, c.value);
}

/** Apply `patch` to a condition: a generated name follows type/value, a custom name stays. */
function patchCondition(c: Condition, patch: Partial<Condition>, ops: SplitOperators): Condition {
  const auto = isAutoName(c, ops);
  const next: Condition = { ...c, ...patch };
  if (patch.type !== undefined && isValueless(ops, next.type)) next.value = ops.valueless[next.type];
  else if (patch.type !== undefined && isValueless(ops, c.type) && patch.value === undefined) next.value = "";
  if (patch.friendly_name === undefined && auto && (patch.type !== undefined || patch.value !== undefined)) {
    next.friendly_name = friendlyName(ops, next.type, next.value);
  }
  return next;
}

function inputOf(s: State): string {
  return String(s.properties.input ?? "");
}

function mapTransition(s: State, index: number, fn: (t: Transition) => Transition): State {
  if (!s.transitions[index]) return s;
  return { ...s, transitions: s.transitions.map((t, i) => (i === index ? fn(t) : t)) };
}

/** A new branch (one condition), after the existing ones. */
export function addBranch(s: State, ops: SplitOperators): State {
  return { ...s, transitions: [...s.transitions, { event: "match", conditions: [newCondition(inputOf(s), ops)] }] };
}

export function removeBranch(s: State, index: number): State {
  return { ...s, transitions: s.transitions.filter((_, i) => i !== index) };
}

/** Another condition in an existing branch (AND). */
export function addCondition(s: State, index: number, ops: SplitOperators): State {
  return mapTransition(s, index, (t) => ({ ...t, conditions: [...(t.conditions ?? []), newCondition(inputOf(s), ops)] }));
}

/** Remove one condition; a branch left without conditions is removed with it. */
export function removeCondition(s: State, index: number, ci: number): State {
  const t = s.transitions[index];
  if (!t) return s;
  const conditions = (t.conditions ?? []).filter((_, j) => j !== ci);
  if (!conditions.length) return removeBranch(s, index);
  return mapTransition(s, index, (tt) => ({ ...tt, conditions }));
}

export function setCondition(s: State, index: number, ci: number, patch: Partial<Condition>, ops: SplitOperators): State {
  return mapTransition(s, index, (t) => ({
    ...t,
    conditions: (t.conditions ?? []).map((c, j) => (j === ci ? patchCondition(c, patch, ops) : c)),
  }));
}

/** Move a branch up or down (branches are tested in order). */
export function moveBranch(s: State, index: number, delta: -1 | 1): State {
  const matchIdx = s.transitions.map((t, i) => (t.event === "match" ? i : -1)).filter((i) => i >= 0);
  const pos = matchIdx.indexOf(index);
  const other = matchIdx[pos + delta];
  if (pos < 0 || other === undefined) return s;
  const transitions = [...s.transitions];
  [transitions[index], transitions[other]] = [transitions[other], transitions[index]];
  return { ...s, transitions };
}

/** Set the tested input; Console keeps every condition's `arguments` equal to it. */
export function setInput(s: State, value: unknown): State {
  const properties = { ...s.properties };
  if (value === undefined) delete properties.input;
  else properties.input = value;
  const arg = String(value ?? "");
  return {
    ...s,
    properties,
    transitions: s.transitions.map((t) =>
      t.conditions ? { ...t, conditions: t.conditions.map((c) => ({ ...c, arguments: [arg] })) } : t,
    ),
  };
}
