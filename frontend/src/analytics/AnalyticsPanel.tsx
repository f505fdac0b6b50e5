import { Panel } from "@xyflow/react";
import { useEffect, useRef } from "react";
import { simApi } from "../api/client";
import { throttle, useFlowActivity } from "./activity";
import { loaded, setAnalytics, useAnalytics, windowBounds, type AnalyticsWindow } from "./analyticsStore";

const REFRESH_MS = 5000;
/** Steps pushed by the monitor socket refetch the counts, at most this often. */
export const PUSH_THROTTLE_MS = 2000;

/**
 * The canvas's "Analytics" toggle: while on, counts are read for the window every few seconds,
 * and within 2 s of activity the flow's monitor socket pushes (at most one read per 2 s).
 */
export function AnalyticsPanel({ flowSid }: { flowSid: string }) {
  const on = useAnalytics((s) => s.on);
  const window_ = useAnalytics((s) => s.window);
  const customSince = useAnalytics((s) => s.customSince);
  const customUntil = useAnalytics((s) => s.customUntil);
  const dropoffs = useAnalytics((s) => s.dropoffs);
  const stepCount = useAnalytics((s) => s.stepCount);
  const error = useAnalytics((s) => s.error);
  const errors = useAnalytics((s) => s.errors);
  const reload = useRef<() => void>(() => undefined);
  const lastLoad = useRef(0);
  const pushed = useRef(throttle(() => reload.current(), PUSH_THROTTLE_MS, () => lastLoad.current));

  useEffect(() => {
    if (!on) return;
    let stop = false;
    const load = () => {
      const bounds = windowBounds(window_, customSince, customUntil);
      if (!bounds) return; // a custom window being typed
      lastLoad.current = Date.now();
      simApi.analytics(flowSid, bounds.since, bounds.until).then(
        (a) => !stop && loaded(a),
        (e: Error) => !stop && setAnalytics({ error: e.message }),
      );
    };
    reload.current = load;
    load();
    // The periodic read (windows slide; the fallback when no socket opens), skipped after a push.
    const t = setInterval(() => Date.now() - lastLoad.current >= REFRESH_MS - 100 && load(), REFRESH_MS);
    const push = pushed.current;
    return () => {
      stop = true;
      clearInterval(t);
      push.cancel();
    };
  }, [on, window_, flowSid, customSince, customUntil]);

  // Activity pushed by the flow's monitor socket (its steps): refetch soon, throttled.
  useFlowActivity(flowSid, on, () => pushed.current.poke());

  // Leaving the flow clears the counts (they belong to this flow).
  useEffect(() => () => setAnalytics({ on: false, counts: {}, dropoffs: [], errors: [], stepCount: 0 }), [flowSid]);

  return (
    <Panel position="top-right" className="analytics-panel" data-testid="analytics-panel">
      <label>
        <input type="checkbox" data-testid="analytics-toggle" checked={on} onChange={(e) => setAnalytics({ on: e.target.checked })} /> Analytics
      </label>
      {on && (
        <>
          <select data-testid="analytics-window" aria-label="Window" value={window_} onChange={(e) => setAnalytics({ window: e.target.value as AnalyticsWindow })}>
            <option value="hour">Last hour</option>
            <option value="day">Last day</option>
            <option value="week">Last week</option>
            <option value="month">Last 30 days</option>
            <option value="custom">Custom…</option>
          </select>
          {window_ === "custom" && (
            <div className="analytics-custom">
              <label>
                From <input type="datetime-local" data-testid="analytics-since" value={customSince} onChange={(e) => setAnalytics({ customSince: e.target.value })} />
              </label>
              <label>
                To <input type="datetime-local" data-testid="analytics-until" value={customUntil} onChange={(e) => setAnalytics({ customUntil: e.target.value })} />
              </label>
            </div>
          )}
          <div className="muted" data-testid="analytics-steps">
            {stepCount} steps
          </div>
          {dropoffs.length > 0 && (
            <ul className="analytics-dropoffs" data-testid="analytics-dropoffs" aria-label="Ended at">
              {dropoffs.map((d) => (
                <li key={d.widget} data-widget={d.widget}>
                  ended at {d.widget}: <strong>{d.count}</strong>
                </li>
              ))}
            </ul>
          )}
          {errors.some((e) => e.count > 0) && (
            <ul className="analytics-errors" data-testid="analytics-errors" aria-label="Error rate">
              {errors
                .filter((e) => e.count > 0)
                .map((e) => (
                  <li key={e.widget} data-widget={e.widget}>
                    errors at {e.widget}: <strong>{Math.round(e.rate * 100)}%</strong> ({e.count}/{e.runs})
                  </li>
                ))}
            </ul>
          )}
          {error && <div className="banner error">{error}</div>}
        </>
      )}
    </Panel>
  );
}
