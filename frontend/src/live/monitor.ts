// The live monitor's connection: the `ws/flows/{FW}/monitor` socket (session-authenticated),
// with a polling fallback when no socket can be opened (a WSGI-only server, a proxy that
// drops upgrades). Events land in the live store; nothing here touches the editor store.
import { useEffect } from "react";
import { simApi } from "../api/client";
import { liveStore, type ExecutionEvent, type StepEvent } from "./liveStore";

const POLL_MS = 1500;
const OPEN_TIMEOUT_MS = 3000;
// Ends that emit no step (REST Status=ended, a new simulator conversation, lifetime expiry) come
// as `type: "execution"` events; a slow reconciliation still keeps the canvas honest while
// connected (a socket that dropped and came back missed whatever happened meanwhile).
const RECONCILE_MS = 10000;

export function monitorUrl(flowSid: string, loc: Pick<Location, "protocol" | "host"> = window.location): string {
  const scheme = loc.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${loc.host}/ws/flows/${flowSid}/monitor`;
}

/** Refresh the list of active executions, and the steps of those that moved. */
async function refreshActive(flowSid: string): Promise<void> {
  const { actions } = liveStore.getState();
  const active = await simApi.executions(flowSid, "active");
  const before = liveStore.getState().executions;
  const moved = active.filter((x) => before[x.sid]?.current !== x.current_widget || before[x.sid]?.status !== "active");
  // Executions that were active and are no longer listed have ended.
  const gone = Object.values(before).filter((x) => x.status === "active" && !active.some((a) => a.sid === x.sid));
  actions.setList(active);
  const focus = liveStore.getState().focus;
  const wanted = new Set([...moved.slice(0, 5).map((x) => x.sid), ...gone.slice(0, 5).map((x) => x.sid)]);
  if (focus) wanted.add(focus);
  await Promise.all([...wanted].map((sid) => refreshExecution(sid)));
}

export async function refreshExecution(sid: string): Promise<void> {
  try {
    const detail = await simApi.execution(sid);
    liveStore.getState().actions.upsert(detail);
  } catch {
    /* deleted meanwhile: nothing to draw */
  }
}

export function useMonitor(flowSid: string | null, enabled: boolean): void {
  useEffect(() => {
    if (!flowSid || !enabled) return;
    const { actions } = liveStore.getState();
    let closed = false;
    let socket: WebSocket | null = null;
    let poll: ReturnType<typeof setInterval> | null = null;
    let openTimer: ReturnType<typeof setTimeout> | null = null;

    const startPolling = () => {
      if (closed || poll) return;
      actions.setConnection("polling");
      poll = setInterval(() => void refreshActive(flowSid).catch(() => undefined), POLL_MS);
    };

    const reconcile = setInterval(() => {
      if (!poll) void refreshActive(flowSid).catch(() => undefined);
    }, RECONCILE_MS);
    actions.setConnection("connecting");
    void refreshActive(flowSid).catch(() => undefined);
    try {
      socket = new WebSocket(monitorUrl(flowSid));
      openTimer = setTimeout(() => {
        if (socket && socket.readyState !== WebSocket.OPEN) startPolling();
      }, OPEN_TIMEOUT_MS);
      socket.onopen = () => {
        if (openTimer) clearTimeout(openTimer);
        if (poll) {
          clearInterval(poll);
          poll = null;
        }
        actions.setConnection("live");
      };
      socket.onmessage = (msg) => {
        let data: unknown;
        try {
          data = JSON.parse(String(msg.data));
        } catch {
          return;
        }
        const type = data && typeof data === "object" ? (data as { type?: string }).type : undefined;
        if (type === "step") {
          liveStore.getState().actions.step(data as StepEvent);
        } else if (type === "execution" && (data as ExecutionEvent).event === "ended") {
          liveStore.getState().actions.ended(data as ExecutionEvent);
        }
      };
      socket.onclose = () => startPolling();
      socket.onerror = () => startPolling();
    } catch {
      startPolling();
    }
    return () => {
      closed = true;
      clearInterval(reconcile);
      if (openTimer) clearTimeout(openTimer);
      if (poll) clearInterval(poll);
      if (socket) {
        socket.onclose = null;
        socket.onerror = null;
        socket.close();
      }
      actions.setConnection("off");
    };
  }, [flowSid, enabled]);
}
