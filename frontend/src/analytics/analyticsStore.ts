// Path analytics shown on the canvas: counts per transition, drop-offs per widget.
import { createStore, useStore } from "zustand";
import type { FlowAnalytics } from "../api/client";

export type AnalyticsWindow = "hour" | "day" | "week" | "month" | "custom";

export const WINDOW_MS: Record<Exclude<AnalyticsWindow, "custom">, number> = {
  hour: 3_600_000,
  day: 86_400_000,
  week: 7 * 86_400_000,
  month: 30 * 86_400_000,
};

export interface AnalyticsState {
  on: boolean;
  window: AnalyticsWindow;
  /** The custom window's bounds (datetime-local values, the browser's time zone). */
  customSince: string;
  customUntil: string;
  /** Steps per transition, keyed by transitionKey(from, event, to). */
  counts: Record<string, number>;
  dropoffs: { widget: string; count: number }[];
  /** Per widget: steps leaving it by `error`, over all steps leaving it. */
  errors: { widget: string; count: number; runs: number; rate: number }[];
  stepCount: number;
  error: string | null;
}

export const transitionKey = (from: string, event: string, to: string) => `${from}|${event}|${to}`;

/** The event of a canvas edge's source handle (`event`, or `event:index` for split branches). */
export const handleEvent = (handle: string | null | undefined) => (handle ?? "").split(":")[0];

export function countsOf(a: FlowAnalytics): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of a.transitions) out[transitionKey(t.from, t.event, t.to)] = (out[transitionKey(t.from, t.event, t.to)] ?? 0) + t.count;
  return out;
}

export const analyticsStore = createStore<AnalyticsState>(() => ({
  on: false, window: "day", customSince: "", customUntil: "", counts: {}, dropoffs: [], errors: [], stepCount: 0, error: null,
}));

/** The window as the API's `since` / `until` (ISO); null when a custom window is incomplete. */
export function windowBounds(
  w: AnalyticsWindow,
  customSince: string,
  customUntil: string,
  now = Date.now(),
): { since: string; until?: string } | null {
  if (w !== "custom") return { since: new Date(now - WINDOW_MS[w]).toISOString() };
  const since = customSince ? new Date(customSince) : null;
  if (!since || Number.isNaN(since.getTime())) return null;
  const until = customUntil ? new Date(customUntil) : null;
  if (until && (Number.isNaN(until.getTime()) || until <= since)) return null;
  return until ? { since: since.toISOString(), until: until.toISOString() } : { since: since.toISOString() };
}

export function useAnalytics<T>(selector: (s: AnalyticsState) => T): T {
  return useStore(analyticsStore, selector);
}

export function setAnalytics(next: Partial<AnalyticsState>): void {
  analyticsStore.setState(next);
}

export function loaded(a: FlowAnalytics): void {
  analyticsStore.setState({ counts: countsOf(a), dropoffs: a.dropoffs, errors: a.errors ?? [], stepCount: a.step_count, error: null });
}
