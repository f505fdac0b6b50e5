import { useReactFlow } from "@xyflow/react";
import { useEffect, useState } from "react";
import { simApi, type ExecutionDetail } from "../api/client";
import { liveStore, useLive, useLiveActions, type LiveStep } from "../live/liveStore";
import { ExecutionsList } from "./ExecutionsList";

const REPLAY_MS = 600;

/** Executions of the flow (active / ended); one opens its steps, its context, its path on the canvas. */
export function MonitorTab({ flowSid }: { flowSid: string }) {
  const actions = useLiveActions();
  const focus = useLive((s) => s.focus);
  const [detail, setDetail] = useState<ExecutionDetail | null>(null);
  const [openStep, setOpenStep] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const rf = useReactFlow();

  // Follow the focused execution as it moves (socket events or polling update the live store).
  const focusedSteps = useLive((s) => (s.focus ? s.executions[s.focus]?.steps.length ?? 0 : 0));
  useEffect(() => {
    if (!focus) return;
    simApi.execution(focus).then(setDetail, (e: Error) => setError(e.message));
  }, [focus, focusedSteps]);

  const open = (sid: string) => {
    setOpenStep(null);
    simApi.execution(sid).then(
      (d) => {
        actions.upsert(d);
        actions.setFocus(sid);
        setDetail(d);
      },
      (e: Error) => setError(e.message),
    );
  };

  const close = () => {
    actions.setFocus(null);
    setDetail(null);
  };

  const replay = () => {
    const ex = focus ? liveStore.getState().executions[focus] : undefined;
    if (!ex) return;
    let i = 0;
    actions.setReplay(0);
    const tick = () => {
      i += 1;
      if (liveStore.getState().focus !== ex.sid) return;
      if (i > ex.steps.length) {
        actions.setReplay(null);
        return;
      }
      actions.setReplay(i);
      const step = ex.steps[i - 1];
      const target = step.to !== "Ended" ? step.to : step.from;
      const node = rf.getNode(target);
      if (node) void rf.setCenter(node.position.x + 110, node.position.y + 50, { zoom: rf.getZoom(), duration: 200 });
      setTimeout(tick, REPLAY_MS);
    };
    setTimeout(tick, REPLAY_MS);
  };

  return (
    <div className="sim-monitor" data-testid="sim-monitor">
      {!detail && <ExecutionsList flowSid={flowSid} onOpen={open} />}
      {error && (
        <div className="banner error" role="alert">
          {error}
        </div>
      )}
      {detail && (
        <div className="sim-execution" data-testid="execution-detail" data-execution-sid={detail.sid}>
          <div className="sim-tabs small">
            <button type="button" data-testid="execution-back" onClick={close}>
              ← Executions
            </button>
            <button type="button" data-testid="execution-replay" onClick={replay}>
              Replay path
            </button>
          </div>
          <div className="muted">
            {detail.sid} · {detail.status}
            {detail.current_widget ? ` · at ${detail.current_widget}` : ""}
          </div>
          <ol className="sim-steps" data-testid="execution-steps">
            {detail.steps.map((s: LiveStep) => (
              <li key={s.sid} data-testid="execution-step">
                <button type="button" className="linkish" onClick={() => setOpenStep(openStep === s.sid ? null : s.sid)}>
                  {s.from} —{s.name}→ {s.to}
                </button>
                {openStep === s.sid && (
                  <pre className="sim-json" data-testid="step-context">
                    {JSON.stringify(s.context, null, 2)}
                  </pre>
                )}
              </li>
            ))}
          </ol>
          <details>
            <summary>Execution context</summary>
            <pre className="sim-json" data-testid="execution-context">
              {JSON.stringify(detail.context, null, 2)}
            </pre>
          </details>
        </div>
      )}
    </div>
  );
}
