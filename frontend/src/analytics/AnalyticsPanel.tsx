import { Panel } from "@xyflow/react";
import { useEffect, useRef } from "react";
import { useLive } from "../live/liveStore";
import { simApi } from "../api/client";
import { loaded, setAnalytics, useAnalytics, windowBounds, type AnalyticsWindow } from "./analyticsStore";

const REFRESH_MS = 5000;
/** Steps pushed by the monitor socket refetch the counts, at most this often. */
const PUSH_THROTTLE_MS = 2000;

/** The canvas's "Analytics" toggle: while on, counts are read for the window every few seconds. */
export function AnalyticsPanel({ flowSid }: { flowSid: string }) {
  const on = useAnalytics((s) => s.on);
  const window_ = useAnalytics((s) => s.window);
  const customSince = useAnalytics((s) => s.customSince);
  const customUntil = useAnalytics((s) => s.customUntil);
  const dropoffs = useAnalytics((s) => s.dropoffs);
  const stepCount = useAnalytics((s) => s.stepCount);
  const error = useAnalytics((s) => s.error);
  const errors = useAnalytics((s) => s.errors);
  const seq = useLive((s) => s.seq);
  const reload = useRef<() => void>(() => undefined);
  const lastPush = useRef(0);

  useEffect(() => {
    if (!on) return;
    let stop = false;
    const load = () => {
      const bounds = windowBounds(window_, customSince, customUntil);
      if (!bounds) return; // a custom window being typed
      simApi.analytics(flowSid, bounds.since, bounds.until).then(
        (a) => !stop && loaded(a),
        (e: Error) => !stop && setAnalytics({ error: e.message }),
      );
    };
    reload.current = load;
    load();
    const t = setInterval(load, REFRESH_MS);
    return () => {
      stop = true;
      clearInterval(t);
    };
  }, [on, window_, flowSid, customSince, customUntil]);

  // Activity pushed by the monitor socket (steps of this flow): refetch soon, throttled.
  useEffect(() => {
    if (!on || seq === 0) return;
    const wait = Math.max(0, lastPush.current + PUSH_THROTTLE_MS - Date.now());
    const t = setTimeout(() => {
      lastPush.current = Date.now();
      reload.current();
    }, wait);
    return () => clearTimeout(t);
  }, [seq, on]);

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
