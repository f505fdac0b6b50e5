import { memo, useEffect, useState } from "react";
import { liveStore, useLive } from "../live/liveStore";
import { useMonitor } from "../live/monitor";
import { isDirty, useEditor } from "../store/flowStore";
import { CallTab } from "./CallTab";
import { ChatTab } from "./ChatTab";
import { ConversationTab } from "./ConversationTab";
import { FunctionLogsPane } from "./FunctionLogsPane";
import { MonitorTab } from "./MonitorTab";
import { RestTab } from "./RestTab";
import { SaveAsTest, TestsTab } from "./TestsTab";

type Tab = "chat" | "conversation" | "call" | "rest" | "executions" | "tests";
const LABELS: Record<Tab, string> = {
  chat: "Chat",
  conversation: "Conversation",
  call: "Call",
  rest: "REST",
  executions: "Executions",
  tests: "Tests",
};

/** Run the flow by chat or call, and watch executions move through the canvas live. */
export const SimulatorPanel = memo(function SimulatorPanel({ flowSid, onClose }: { flowSid: string; onClose(): void }) {
  const [tab, setTab] = useState<Tab>("chat");
  // The last execution a tab started or moved: what "Save as test" records.
  const [lastExecution, setLastExecution] = useState<string | null>(null);
  const [saved, setSaved] = useState(0);
  const dirty = useEditor(isDirty);
  const revision = useEditor((s) => s.flow?.revision ?? 0);
  const savedDef = useEditor((s) => s.savedDef);
  const connection = useLive((s) => s.connection);
  useMonitor(flowSid, true);
  // Highlights belong to this panel: closing it clears the canvas.
  useEffect(() => () => liveStore.getState().actions.reset(), []);
  return (
    <aside className="simulator" data-testid="simulator-panel" aria-label="Simulator">
      <div className="sim-head">
        <strong>Simulator</strong>
        <span className="spacer" />
        <span className={`sim-connection ${connection}`} data-testid="monitor-connection" data-connection={connection} title="Live monitor">
          {connection === "live" ? "● live" : connection === "polling" ? "○ polling" : "…"}
        </span>
        <button type="button" aria-label="Close simulator" data-testid="simulator-close" onClick={onClose}>
          ×
        </button>
      </div>
      <div className="muted sim-revision">Runs saved revision {revision} (latest, draft or published).</div>
      {dirty && (
        <div className="banner warn" role="status" data-testid="sim-unsaved-warning">
          Unsaved changes are not simulated: save first to run them.
        </div>
      )}
      <div className="sim-tabs" role="tablist">
        {(["chat", "conversation", "call", "rest", "executions", "tests"] as Tab[]).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} className={tab === t ? "on" : ""} data-testid={`sim-tab-${t}`} onClick={() => setTab(t)}>
            {LABELS[t]}
          </button>
        ))}
      </div>
      <div className="sim-body-wrap">
        {/* Kept mounted: switching tabs keeps the conversation and the call transcript. */}
        <div hidden={tab !== "chat"}>
          <ChatTab flowSid={flowSid} onExecution={setLastExecution} />
        </div>
        <div hidden={tab !== "conversation"}>
          <ConversationTab flowSid={flowSid} />
        </div>
        <div hidden={tab !== "call"}>
          <CallTab flowSid={flowSid} onExecution={setLastExecution} />
        </div>
        <div hidden={tab !== "rest"}>
          <RestTab flowSid={flowSid} onExecution={setLastExecution} />
        </div>
        {tab === "executions" && <MonitorTab flowSid={flowSid} />}
        {tab === "tests" && <TestsTab flowSid={flowSid} version={saved} />}
      </div>
      {/* Beside the runs (kept mounted, so lines survive a look at the executions): the saved
          revision's Run Function widgets' logs, live. */}
      <div hidden={tab === "tests" || tab === "executions"}>
        <FunctionLogsPane definition={savedDef} />
      </div>
      {tab !== "tests" && tab !== "executions" && (
        <SaveAsTest flowSid={flowSid} executionSid={lastExecution} onSaved={() => setSaved((n) => n + 1)} />
      )}
    </aside>
  );
});
