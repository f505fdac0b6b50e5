// The live monitor's connection: the `ws/flows/{FW}/monitor` socket (session-authenticated),
// with a polling fallback while no socket is open (a WSGI-only server, a proxy that drops
// upgrades, a drop: the socket is opened again, and the list re-read when it is back).
// Events land in the live store; nothing here touches the editor store.
import { useEffect } from "react";
import { simApi } from "../api/client";
import { liveSocket, wsUrl } from "../lib/liveSocket";
import { liveStore, type ExecutionEvent, type StepEvent } from "./liveStore";

const POLL_MS = 1500;
const OPEN_TIMEOUT_MS = 3000;
// Ends that emit no step (REST Status=ended, a new simulator conversation, lifetime expiry) come
// as `type: "execution"` events; a slow reconciliation still keeps the canvas honest while
// connected (a socket that dropped and came back missed whatever happened meanwhile).
const RECONCILE_MS = 10000;

export function monitorUrl(flowSid: string, loc: Pick<Location, "protocol" | "host"> = window.location): string {
  return wsUrl(`/ws/flows/${flowSid}/monitor`, loc);
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
    let poll: ReturnType<typeof setInterval> | null = null;
    const refresh = () => void refreshActive(flowSid).catch(() => undefined);

    // While no socket is open (not yet, dropped, refused), the list is polled.
    const startPolling = () => {
      if (poll) return;
      actions.setConnection("polling");
      poll = setInterval(refresh, POLL_MS);
    };
    const reconcile = setInterval(() => {
      if (!poll) refresh();
    }, RECONCILE_MS);
    const openTimer = setTimeout(startPolling, OPEN_TIMEOUT_MS);
    actions.setConnection("connecting");
    refresh();
    const socket = liveSocket<{ type?: string }>({
      url: monitorUrl(flowSid),
      onOpen() {
        clearTimeout(openTimer);
        if (poll) clearInterval(poll);
        poll = null;
        actions.setConnection("live");
      },
      onReconnect: refresh, // what happened while the socket was down
      onDown: startPolling,
      onRefused: startPolling,
      onMessage(data) {
        if (data.type === "step") {
          liveStore.getState().actions.step(data as StepEvent);
        } else if (data.type === "execution" && (data as ExecutionEvent).event === "ended") {
          liveStore.getState().actions.ended(data as ExecutionEvent);
        }
      },
    });
    return () => {
      socket.close();
      clearInterval(reconcile);
      clearTimeout(openTimer);
      if (poll) clearInterval(poll);
      actions.setConnection("off");
    };
  }, [flowSid, enabled]);
}
