// `/flows/{FW}?execution={FN}` (a link from the execution page): that execution's path drawn on
// the canvas, through the live store's focus (the same drawing the monitor's replay uses).
import { useEffect } from "react";
import { liveStore } from "./liveStore";
import { refreshExecution } from "./monitor";

export function executionFromSearch(search: string): string | null {
  const sid = new URLSearchParams(search).get("execution");
  return sid && /^FN[0-9a-fA-F]{32}$/.test(sid) ? sid : null;
}

export function useExecutionPath(flowSid: string | null, executionSid: string | null): void {
  useEffect(() => {
    if (!flowSid || !executionSid) return;
    let gone = false;
    void refreshExecution(executionSid).then(() => {
      if (!gone) liveStore.getState().actions.setFocus(executionSid);
    });
    return () => {
      gone = true;
    };
  }, [flowSid, executionSid]);
}
