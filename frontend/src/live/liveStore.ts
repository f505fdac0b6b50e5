// Live monitor state, kept apart from the editor store: a step event changes a couple of
// entries in `nodes`/`edges`, and each widget node selects only its own entry, so a
// 2,000-widget canvas re-renders the one or two nodes that changed, not all of them.
import { createStore, useStore } from "zustand";

export type LiveMark = "active" | "visited";

/** A step as the monitor socket sends it (executions/events.py) or the console API lists it. */
export interface LiveStep {
  sid: string;
  name: string;
  from: string;
  to: string;
  widget_type?: string;
  context?: unknown;
  error?: unknown;
  date_created?: string | null;
}

export interface LiveExecution {
  sid: string;
  status: "active" | "ended";
  current: string | null;
  contact?: string;
  channel?: string;
  date_created?: string | null;
  steps: LiveStep[];
  /** Bumped on every change: a cheap "updated" order for the list. */
  seq: number;
}

export interface StepEvent {
  type: "step";
  execution_sid: string;
  execution_status: "active" | "ended";
  step_sid: string;
  name: string;
  from: string;
  to: string;
  widget_type?: string;
  context?: unknown;
  error?: unknown;
}

/** An execution's start or end as the monitor socket sends it (`type: "execution"`). */
export interface ExecutionEvent {
  type: "execution";
  event: "started" | "ended";
  execution_sid: string;
  status: "active" | "ended";
  contact_channel_address?: string;
  date_created?: string | null;
}

export interface ExecutionSummary {
  sid: string;
  status: "active" | "ended";
  current_widget: string | null;
  contact?: string;
  channel?: string;
  date_created?: string | null;
  steps?: LiveStep[];
}

export interface LiveState {
  executions: Record<string, LiveExecution>;
  /** The execution whose path is drawn (null: every active execution's position). */
  focus: string | null;
  /** While replaying the focused path: how many of its steps are drawn. */
  replay: number | null;
  nodes: Record<string, LiveMark>;
  /** Keyed by `${from}->${to}` (see edgeKey). */
  edges: Record<string, LiveMark>;
  connection: "off" | "connecting" | "live" | "polling";
  seq: number;
}

export interface LiveActions {
  step(ev: StepEvent): void;
  /** An execution ended, maybe without a step (REST `Status=ended`, the console's end, expiry). */
  ended(ev: ExecutionEvent): void;
  upsert(summary: ExecutionSummary): void;
  setList(list: ExecutionSummary[]): void;
  setFocus(sid: string | null): void;
  setReplay(n: number | null): void;
  setConnection(c: LiveState["connection"]): void;
  reset(): void;
}

export type Live = LiveState & { actions: LiveActions };

const ENDED = "Ended";
export const edgeKey = (from: string, to: string) => `${from}->${to}`;

function empty(): LiveState {
  return { executions: {}, focus: null, replay: null, nodes: {}, edges: {}, connection: "off", seq: 0 };
}

/** Apply one step event to an execution (idempotent on the step sid). */
export function applyStep(prev: LiveExecution | undefined, ev: StepEvent, seq: number): LiveExecution {
  const base: LiveExecution = prev ?? { sid: ev.execution_sid, status: "active", current: null, steps: [], seq };
  if (base.steps.some((s) => s.sid === ev.step_sid)) return base;
  const step: LiveStep = {
    sid: ev.step_sid, name: ev.name, from: ev.from, to: ev.to, widget_type: ev.widget_type, context: ev.context, error: ev.error,
  };
  const ended = ev.execution_status === "ended" || ev.to === ENDED;
  return {
    ...base,
    status: ev.execution_status === "ended" ? "ended" : base.status,
    current: ended ? null : ev.to,
    steps: [...base.steps, step],
    seq,
  };
}

/** What the canvas draws: the focused path (up to the replay point), or every active position. */
export function deriveMarks(
  executions: Record<string, LiveExecution>,
  focus: string | null,
  replay: number | null,
): { nodes: Record<string, LiveMark>; edges: Record<string, LiveMark> } {
  const nodes: Record<string, LiveMark> = {};
  const edges: Record<string, LiveMark> = {};
  const focused = focus ? executions[focus] : undefined;
  if (focused) {
    const steps = replay === null ? focused.steps : focused.steps.slice(0, replay);
    steps.forEach((s, i) => {
      const last = i === steps.length - 1;
      nodes[s.from] = nodes[s.from] === "active" ? "active" : "visited";
      if (s.to !== ENDED) nodes[s.to] = nodes[s.to] === "active" ? "active" : "visited";
      edges[edgeKey(s.from, s.to)] = last ? "active" : (edges[edgeKey(s.from, s.to)] ?? "visited");
    });
    const lastStep = steps[steps.length - 1];
    const here = replay === null ? focused.current : lastStep && lastStep.to !== ENDED ? lastStep.to : null;
    if (here) nodes[here] = "active";
    return { nodes, edges };
  }
  let newest: LiveExecution | undefined;
  for (const ex of Object.values(executions)) {
    if (!newest || ex.seq > newest.seq) newest = ex;
    if (ex.status !== "active") continue;
    if (ex.current) nodes[ex.current] = "active";
    const last = ex.steps[ex.steps.length - 1];
    if (last) edges[edgeKey(last.from, last.to)] = "active";
  }
  // The transition the latest event took stays marked even when it ended the execution.
  const last = newest?.steps[newest.steps.length - 1];
  if (last) edges[edgeKey(last.from, last.to)] = "active";
  return { nodes, edges };
}

/** Keep unchanged maps' identity so subscribers of the whole map skip a render. */
function sameMap<T>(a: Record<string, T>, b: Record<string, T>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

export function createLiveStore() {
  return createStore<Live>()((set, get) => {
    const commit = (patch: Partial<LiveState>) => {
      const s = { ...get(), ...patch };
      const marks = deriveMarks(s.executions, s.focus, s.replay);
      set({
        ...patch,
        nodes: sameMap(marks.nodes, get().nodes) ? get().nodes : marks.nodes,
        edges: sameMap(marks.edges, get().edges) ? get().edges : marks.edges,
      });
    };
    const fromSummary = (prev: LiveExecution | undefined, x: ExecutionSummary, seq: number): LiveExecution => ({
      sid: x.sid,
      status: x.status,
      current: x.status === "active" ? x.current_widget : null,
      contact: x.contact ?? prev?.contact,
      channel: x.channel ?? prev?.channel,
      date_created: x.date_created ?? prev?.date_created,
      steps: x.steps ?? prev?.steps ?? [],
      seq:
        prev && prev.status === x.status && prev.current === (x.status === "active" ? x.current_widget : null) &&
        (!x.steps || x.steps.length === prev.steps.length)
          ? prev.seq
          : seq,
    });
    return {
      ...empty(),
      actions: {
        step(ev) {
          const seq = get().seq + 1;
          const prev = get().executions[ev.execution_sid];
          const next = applyStep(prev, ev, seq);
          if (next === prev) return;
          commit({ seq, executions: { ...get().executions, [ev.execution_sid]: next } });
        },
        ended(ev) {
          const prev = get().executions[ev.execution_sid];
          if (!prev || (prev.status === "ended" && prev.current === null)) return; // unknown here: nothing drawn
          const seq = get().seq + 1;
          commit({ seq, executions: { ...get().executions, [ev.execution_sid]: { ...prev, status: "ended", current: null, seq } } });
        },
        upsert(x) {
          const seq = get().seq + 1;
          const prev = get().executions[x.sid];
          commit({ seq, executions: { ...get().executions, [x.sid]: fromSummary(prev, x, seq) } });
        },
        setList(list) {
          let seq = get().seq;
          const executions = { ...get().executions };
          // Lists come newest first: the newest gets the highest seq.
          for (const x of [...list].reverse()) executions[x.sid] = fromSummary(executions[x.sid], x, ++seq);
          commit({ seq, executions });
        },
        setFocus(sid) {
          commit({ focus: sid, replay: null });
        },
        setReplay(n) {
          commit({ replay: n });
        },
        setConnection(connection) {
          set({ connection });
        },
        reset() {
          set({ ...empty() });
        },
      },
    };
  });
}

export const liveStore = createLiveStore();

export function useLive<T>(selector: (s: Live) => T): T {
  return useStore(liveStore, selector);
}

export const useLiveActions = () => useStore(liveStore, (s) => s.actions);
