// The editor store: state (the definition is the single source of truth) and actions kept
// apart, as DESIGN.md asks. Nodes and edges are derived in the canvas from `def`.
import { createStore, useStore } from "zustand";
import type { CatalogueEntry, FlowDefinition, FlowDetail, Offset, Problem, State } from "../types";
import * as ops from "./ops";
import type { Mark } from "./derive";

const HISTORY_LIMIT = 200;

export interface EditorState {
  flow: FlowDetail | null;
  def: FlowDefinition;
  /** The definition of the latest saved revision (dirty = def !== savedDef). */
  savedDef: FlowDefinition;
  catalogue: Record<string, CatalogueEntry>;
  selected: Set<string>;
  measured: Record<string, { width: number; height: number }>;
  past: FlowDefinition[];
  future: FlowDefinition[];
  errors: Problem[];
  warnings: Problem[];
  /** Definition the problems' `#/states/N` indexes refer to. */
  problemsDef: FlowDefinition | null;
  marks: Record<string, Mark>;
  /** When set, the canvas draws this (read-only) instead of `def` — a revision diff. */
  diffDef: FlowDefinition | null;
  search: string;
}

export interface EditorActions {
  setCatalogue(list: CatalogueEntry[]): void;
  load(flow: FlowDetail | null, def: FlowDefinition): void;
  saved(flow: FlowDetail, sent: FlowDefinition): void;
  /** Flow metadata changed without a new revision (rename, test users): keep the definition. */
  flowUpdated(flow: FlowDetail): void;
  apply(fn: (def: FlowDefinition) => FlowDefinition, coalesceKey?: string): void;
  addWidget(type: string, position: Offset): string | null;
  rename(oldName: string, newName: string): string | null;
  deleteWidgets(names: Iterable<string>): void;
  deleteSelected(): void;
  setProperty(name: string, key: string, value: unknown): void;
  updateState(name: string, fn: (s: State) => State, coalesceKey?: string): void;
  connect(source: string, handle: string, target: string | null): void;
  select(names: Iterable<string>): void;
  setSelected(name: string, on: boolean): void;
  beginMove(): void;
  move(positions: Map<string, Offset>): void;
  undo(): void;
  redo(): void;
  copy(): { states: State[] };
  paste(payload: { states: State[] }, shift?: Offset): string[];
  setMeasured(sizes: Map<string, { width: number; height: number }>): void;
  setProblems(errors: Problem[], warnings: Problem[], def: FlowDefinition | null): void;
  showDiff(def: FlowDefinition | null, marks: Record<string, Mark>): void;
  setSearch(text: string): void;
}

export type Editor = EditorState & { actions: EditorActions };

function initial(): EditorState {
  const def = ops.blankDefinition();
  return {
    flow: null,
    def,
    savedDef: def,
    catalogue: {},
    selected: new Set(),
    measured: {},
    past: [],
    future: [],
    errors: [],
    warnings: [],
    problemsDef: null,
    marks: {},
    diffDef: null,
    search: "",
  };
}

export function createEditorStore() {
  return createStore<Editor>()((set, get) => {
    // Typing into one field makes one undo step, not one per keystroke.
    let lastKey: string | null = null;
    let lastAt = 0;
    const commit = (def: FlowDefinition, extra: Partial<EditorState> = {}, coalesceKey: string | null = null) => {
      const cur = get();
      if (def === cur.def && Object.keys(extra).length === 0) return;
      if (def === cur.def) {
        set(extra);
        return;
      }
      const now = Date.now();
      const coalesce = coalesceKey !== null && coalesceKey === lastKey && now - lastAt < 1500 && cur.past.length > 0;
      lastKey = coalesceKey;
      lastAt = now;
      if (coalesce) set({ ...extra, def, future: [] });
      else set({ ...extra, def, past: [...cur.past, cur.def].slice(-HISTORY_LIMIT), future: [] });
    };
    const actions: EditorActions = {
      setCatalogue(list) {
        set({ catalogue: Object.fromEntries(list.map((e) => [e.type, e])) });
      },
      load(flow, def) {
        set({ ...initial(), catalogue: get().catalogue, flow, def, savedDef: def,
          errors: flow?.errors ?? [], warnings: flow?.warnings ?? [], problemsDef: def });
      },
      saved(flow, sent) {
        // The server stored exactly what we sent; keep our object so undo history stays valid
        // and edits made while the request was in flight stay "unsaved".
        set({ flow, savedDef: sent, errors: flow.errors ?? [], warnings: flow.warnings ?? [], problemsDef: sent });
      },
      flowUpdated(flow) {
        const cur = get().flow;
        if (!cur || cur.sid !== flow.sid) return;
        set({ flow: { ...cur, friendly_name: flow.friendly_name, test_users: flow.test_users } });
      },
      apply(fn, coalesceKey) {
        commit(fn(get().def), {}, coalesceKey ?? null);
      },
      addWidget(type, position) {
        const entry = get().catalogue[type];
        if (!entry) return null;
        const state = ops.newState(entry, position, ops.names(get().def));
        commit(ops.addState(get().def, state), { selected: new Set([state.name]) });
        return state.name;
      },
      rename(oldName, newName) {
        const r = ops.renameState(get().def, oldName, newName);
        if (!r.ok) return r.error;
        const cur = get();
        const selected = new Set([...cur.selected].map((n) => (n === oldName ? newName : n)));
        const measured = { ...cur.measured };
        if (measured[oldName]) measured[newName] = measured[oldName];
        commit(r.def, { selected, measured });
        return null;
      },
      deleteWidgets(names) {
        const doomed = new Set(names);
        const cur = get();
        const selected = new Set([...cur.selected].filter((n) => !doomed.has(n)));
        commit(ops.deleteStates(cur.def, doomed), { selected });
      },
      deleteSelected() {
        actions.deleteWidgets(get().selected);
      },
      setProperty(name, key, value) {
        commit(ops.setProperty(get().def, name, key, value), {}, `prop:${name}:${key}`);
      },
      updateState(name, fn, coalesceKey) {
        commit(ops.updateState(get().def, name, fn), {}, coalesceKey ? `${name}:${coalesceKey}` : null);
      },
      connect(source, handle, target) {
        commit(ops.connect(get().def, source, handle, target));
      },
      select(names) {
        set({ selected: new Set(names) });
      },
      setSelected(name, on) {
        const cur = get().selected;
        if (cur.has(name) === on) return;
        const next = new Set(cur);
        if (on) next.add(name);
        else next.delete(name);
        set({ selected: next });
      },
      beginMove() {
        const cur = get();
        set({ past: [...cur.past, cur.def].slice(-HISTORY_LIMIT), future: [] });
      },
      move(positions) {
        // Continuous drags mutate without history; beginMove() took the snapshot.
        set({ def: ops.moveStates(get().def, positions) });
      },
      undo() {
        const cur = get();
        const prev = cur.past[cur.past.length - 1];
        if (!prev) return;
        const names = ops.names(prev);
        set({
          def: prev,
          past: cur.past.slice(0, -1),
          future: [cur.def, ...cur.future],
          selected: new Set([...cur.selected].filter((n) => names.has(n))),
        });
      },
      redo() {
        const cur = get();
        const next = cur.future[0];
        if (!next) return;
        const names = ops.names(next);
        set({
          def: next,
          past: [...cur.past, cur.def],
          future: cur.future.slice(1),
          selected: new Set([...cur.selected].filter((n) => names.has(n))),
        });
      },
      copy() {
        return ops.copyStates(get().def, get().selected);
      },
      paste(payload, shift) {
        const r = ops.pasteStates(get().def, payload.states ?? [], shift);
        commit(r.def, { selected: new Set(r.pasted) });
        return r.pasted;
      },
      setMeasured(sizes) {
        const cur = get().measured;
        let next: EditorState["measured"] | null = null;
        for (const [name, size] of sizes) {
          const m = cur[name];
          if (m && m.width === size.width && m.height === size.height) continue;
          next ??= { ...cur };
          next[name] = size;
        }
        if (next) set({ measured: next });
      },
      setProblems(errors, warnings, def) {
        set({ errors, warnings, problemsDef: def });
      },
      showDiff(def, marks) {
        set({ diffDef: def, marks });
      },
      setSearch(text) {
        set({ search: text });
      },
    };
    return { ...initial(), actions };
  });
}

/** The app's one editor store. */
export const editorStore = createEditorStore();

export function useEditor<T>(selector: (s: Editor) => T): T {
  return useStore(editorStore, selector);
}

export const useActions = () => useStore(editorStore, (s) => s.actions);

export const isDirty = (s: EditorState) => s.def !== s.savedDef;

/** Problems by widget name: `#/states/N/...` indexes into the definition that was validated. */
export function problemsByName(s: EditorState): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const def = s.problemsDef ?? s.def;
  for (const p of s.errors) {
    const name = widgetForPath(def, p.property_path);
    if (name) (out[name] ??= []).push(p.message);
  }
  return out;
}

export function widgetForPath(def: FlowDefinition, path: string | undefined): string | null {
  const m = /^#\/states\/(\d+)/.exec(path ?? "");
  if (!m) return null;
  return def.states[Number(m[1])]?.name ?? null;
}
