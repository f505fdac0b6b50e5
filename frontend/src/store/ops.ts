// Pure operations on a flow definition. Every function returns a new definition and never
// mutates its input, so the store can keep old definitions as undo snapshots.
import type { CatalogueEntry, FlowDefinition, Offset, State, Transition } from "../types";

const NAME_RE = /^[A-Za-z][A-Za-z0-9_-]*$/;

export function blankDefinition(): FlowDefinition {
  return {
    description: "A New Flow",
    states: [
      {
        name: "Trigger",
        type: "trigger",
        transitions: [
          { event: "incomingMessage" },
          { event: "incomingCall" },
          { event: "incomingConversationMessage" },
          { event: "incomingRequest" },
          { event: "incomingParent" },
        ],
        properties: { offset: { x: 0, y: 0 } },
      },
    ],
    initial_state: "Trigger",
    flags: { allow_concurrent_calls: true },
  };
}

export function uniqueName(base: string, taken: Set<string>): string {
  const clean = base.replace(/[^A-Za-z0-9_-]/g, "_").replace(/^[^A-Za-z]+/, "") || "widget";
  if (!taken.has(clean)) return clean;
  const stem = clean.replace(/_\d+$/, "");
  for (let i = 1; ; i++) {
    const candidate = `${stem}_${i}`;
    if (!taken.has(candidate)) return candidate;
  }
}

export function names(def: FlowDefinition): Set<string> {
  return new Set(def.states.map((s) => s.name));
}

export function offsetOf(state: State): Offset {
  const o = state.properties?.offset;
  return { x: Number(o?.x ?? 0) || 0, y: Number(o?.y ?? 0) || 0 };
}

/** A fresh widget of catalogue type `entry` at `position`, named `<prefix>_N`. */
export function newState(entry: CatalogueEntry, position: Offset, taken: Set<string>): State {
  const prefix = entry.name_prefix || entry.type.replace(/-/g, "_");
  let name = uniqueName(`${prefix}_1`, taken);
  if (taken.has(name)) name = uniqueName(prefix, taken);
  const transitions: Transition[] = (entry.default_transitions ??
    entry.events.filter((e) => !(entry.repeatable_events ?? []).includes(e)).map((event) => ({ event }))
  ).map((t) => ({ ...t }));
  return {
    name,
    type: entry.type,
    transitions,
    properties: {
      ...structuredClone(entry.defaults ?? {}),
      offset: { x: Math.round(position.x), y: Math.round(position.y) },
    },
  };
}

export function addState(def: FlowDefinition, state: State): FlowDefinition {
  return { ...def, states: [...def.states, state] };
}

export function updateState(def: FlowDefinition, name: string, fn: (s: State) => State): FlowDefinition {
  let changed = false;
  const states = def.states.map((s) => {
    if (s.name !== name) return s;
    changed = true;
    return fn(s);
  });
  return changed ? { ...def, states } : def;
}

export function setProperty(def: FlowDefinition, name: string, key: string, value: unknown): FlowDefinition {
  return updateState(def, name, (s) => {
    const properties = { ...s.properties };
    if (value === undefined) delete properties[key];
    else properties[key] = value;
    return { ...s, properties };
  });
}

export function moveStates(def: FlowDefinition, positions: Map<string, Offset>): FlowDefinition {
  if (positions.size === 0) return def;
  const states = def.states.map((s) => {
    const p = positions.get(s.name);
    if (!p) return s;
    return { ...s, properties: { ...s.properties, offset: { x: Math.round(p.x), y: Math.round(p.y) } } };
  });
  return { ...def, states };
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Replace `widgets.OLD` (and `widgets["OLD"]`) references inside any string of `value`. */
export function replaceWidgetRefs(value: unknown, oldName: string, newName: string): unknown {
  if (typeof value === "string") {
    if (!value.includes(oldName)) return value;
    const dotted = new RegExp(`(widgets\\s*\\.\\s*)${escapeRe(oldName)}(?![A-Za-z0-9_-])`, "g");
    const bracket = new RegExp(`(widgets\\s*\\[\\s*)(["'])${escapeRe(oldName)}\\2`, "g");
    return value.replace(dotted, `$1${newName}`).replace(bracket, `$1$2${newName}$2`);
  }
  if (Array.isArray(value)) {
    let changed = false;
    const out = value.map((v) => {
      const r = replaceWidgetRefs(v, oldName, newName);
      if (r !== v) changed = true;
      return r;
    });
    return changed ? out : value;
  }
  if (value && typeof value === "object") {
    let changed = false;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = replaceWidgetRefs(v, oldName, newName);
      if (r !== v) changed = true;
      out[k] = r;
    }
    return changed ? out : value;
  }
  return value;
}

export type RenameResult = { ok: true; def: FlowDefinition } | { ok: false; error: string };

/** Rename a widget and every reference to it: transitions' `next`, `initial_state`,
 * and `{{widgets.OLD...}}` in properties and split conditions. */
export function renameState(def: FlowDefinition, oldName: string, newName: string): RenameResult {
  if (oldName === newName) return { ok: true, def };
  if (!NAME_RE.test(newName)) {
    return { ok: false, error: "A name starts with a letter and holds only letters, digits, _ and -" };
  }
  if (def.states.some((s) => s.name === newName)) return { ok: false, error: `"${newName}" is already used` };
  if (!def.states.some((s) => s.name === oldName)) return { ok: false, error: `No widget "${oldName}"` };
  const states = def.states.map((s) => {
    const properties = replaceWidgetRefs(s.properties, oldName, newName) as State["properties"];
    const transitions = s.transitions.map((t) => {
      let nt = t;
      if (t.next === oldName) nt = { ...nt, next: newName };
      if (t.conditions) {
        const conditions = replaceWidgetRefs(t.conditions, oldName, newName) as Transition["conditions"];
        if (conditions !== t.conditions) nt = { ...nt, conditions };
      }
      return nt;
    });
    const changedT = transitions.some((t, i) => t !== s.transitions[i]);
    const name = s.name === oldName ? newName : s.name;
    if (name === s.name && properties === s.properties && !changedT) return s;
    return { ...s, name, properties, transitions: changedT ? transitions : s.transitions };
  });
  return {
    ok: true,
    def: { ...def, states, initial_state: def.initial_state === oldName ? newName : def.initial_state },
  };
}

/** Delete widgets (never the initial state) and disconnect transitions that led to them. */
export function deleteStates(def: FlowDefinition, doomed: Iterable<string>): FlowDefinition {
  const gone = new Set([...doomed].filter((n) => n !== def.initial_state));
  if (gone.size === 0) return def;
  const states = def.states
    .filter((s) => !gone.has(s.name))
    .map((s) => {
      if (!s.transitions.some((t) => t.next && gone.has(t.next))) return s;
      return { ...s, transitions: s.transitions.map((t) => (t.next && gone.has(t.next) ? withoutNext(t) : t)) };
    });
  return { ...def, states };
}

function withoutNext(t: Transition): Transition {
  const { next: _drop, ...rest } = t;
  return rest;
}

/** Handle ids: an event name, or `match:<index>` for a split's match transitions. */
export function handleId(t: Transition, index: number, repeatable: boolean): string {
  return repeatable ? `${t.event}:${index}` : t.event;
}

/** Connect (or disconnect with target null) the transition behind `handle` of `source`. */
export function connect(def: FlowDefinition, source: string, handle: string, target: string | null): FlowDefinition {
  return updateState(def, source, (s) => {
    const m = /^(.+):(\d+)$/.exec(handle);
    let idx = m ? Number(m[2]) : s.transitions.findIndex((t) => t.event === handle);
    const transitions = [...s.transitions];
    if (idx < 0 || idx >= transitions.length) {
      if (m) return s;
      transitions.push({ event: handle });
      idx = transitions.length - 1;
    }
    const t = transitions[idx];
    transitions[idx] = target ? { ...t, next: target } : withoutNext(t);
    return { ...s, transitions };
  });
}

/** Paste `incoming` states: names are de-duplicated against `def`, references among the pasted
 * states follow their new names, references to widgets not in the result are dropped. */
export function pasteStates(
  def: FlowDefinition,
  incoming: State[],
  shift: Offset = { x: 40, y: 40 },
): { def: FlowDefinition; pasted: string[] } {
  const taken = names(def);
  const mapping = new Map<string, string>();
  const accepted = incoming.filter((s) => s && typeof s.name === "string" && s.type !== "trigger");
  for (const s of accepted) {
    const n = uniqueName(s.name, taken);
    taken.add(n);
    mapping.set(s.name, n);
  }
  let pasted: State[] = accepted.map((s) => {
    const o = offsetOf(s);
    return {
      ...structuredClone(s),
      name: mapping.get(s.name)!,
      transitions: (s.transitions ?? []).map((t) => {
        const nt = structuredClone(t);
        if (nt.next) {
          if (mapping.has(nt.next)) nt.next = mapping.get(nt.next);
          else if (!taken.has(nt.next)) delete nt.next;
        }
        return nt;
      }),
      properties: { ...structuredClone(s.properties ?? {}), offset: { x: o.x + shift.x, y: o.y + shift.y } },
    };
  });
  for (const [oldName, newName] of mapping) {
    if (oldName === newName) continue;
    pasted = pasted.map((s) => ({
      ...s,
      properties: replaceWidgetRefs(s.properties, oldName, newName) as State["properties"],
      transitions: s.transitions.map((t) =>
        t.conditions ? { ...t, conditions: replaceWidgetRefs(t.conditions, oldName, newName) as Transition["conditions"] } : t,
      ),
    }));
  }
  return { def: { ...def, states: [...def.states, ...pasted] }, pasted: pasted.map((s) => s.name) };
}

/** The clipboard payload for a selection: `{"states": [...]}` (flow JSON fragment). */
export function copyStates(def: FlowDefinition, selected: Iterable<string>): { states: State[] } {
  const want = new Set(selected);
  return { states: structuredClone(def.states.filter((s) => want.has(s.name) && s.type !== "trigger")) };
}

export function parseDefinition(text: string): FlowDefinition {
  const parsed = JSON.parse(text) as unknown;
  if (!parsed || typeof parsed !== "object") throw new Error("The JSON is not an object");
  // Accept a flow definition, or a v2 Flow resource export with `definition`.
  const obj = parsed as Record<string, unknown>;
  const def = (obj.states ? obj : (obj.definition as Record<string, unknown> | undefined)) as FlowDefinition | undefined;
  if (!def || !Array.isArray(def.states)) throw new Error('The JSON has no "states" array');
  if (!def.initial_state) def.initial_state = "Trigger";
  return def;
}
