// "Activity changed" for the analytics panel: its own connection to the flow's monitor socket
// (`ws/flows/{FW}/monitor`, the console session), open while analytics is on, whether or not
// the simulator is. Each step event means the counts moved; the caller refetches, throttled.
import { useEffect, useRef } from "react";
import { liveSocket } from "../lib/liveSocket";
import { monitorUrl } from "../live/monitor";

/** After a drop, the socket is opened again at most this much later, then backing off (the panel polls meanwhile). */
export const RECONNECT_MS = 5000;

/**
 * Calls `run` after activity, at most once every `everyMs`: the first activity runs it as soon
 * as `everyMs` has passed since the last run (`lastRun`), later ones within that time are folded in.
 */
export function throttle(run: () => void, everyMs: number, lastRun: () => number, now: () => number = Date.now) {
  let timer: ReturnType<typeof setTimeout> | null = null;
  return {
    poke() {
      if (timer) return;
      const wait = Math.max(0, lastRun() + everyMs - now());
      timer = setTimeout(() => {
        timer = null;
        run();
      }, wait);
    },
    cancel() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}

/** Calls `onActivity` on every step event of the flow while `enabled`. */
export function useFlowActivity(flowSid: string, enabled: boolean, onActivity: () => void): void {
  const callback = useRef(onActivity);
  callback.current = onActivity;
  useEffect(() => {
    if (!enabled) return;
    // No catch-up after a drop: the panel's periodic read covers what the socket missed.
    const socket = liveSocket<{ type?: string }>({
      url: monitorUrl(flowSid),
      baseMs: RECONNECT_MS,
      onMessage: (frame) => frame.type === "step" && callback.current(),
    });
    return () => socket.close();
  }, [flowSid, enabled]);
}
