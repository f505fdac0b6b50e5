import { useState } from "react";
import { api, simApi, type CallInput, type CallResult, type TranscriptEvent } from "../api/client";
import { refreshExecution } from "../live/monitor";
import { DEFAULT_CONTACT, DEFAULT_FLOW_NUMBER } from "./ChatTab";
import { LiveCall } from "./LiveCall";

type Kind = "digits" | "speech" | "silence" | "hangup";
interface Row {
  kind: Kind;
  value: string;
}

export function toInputs(rows: Row[]): CallInput[] {
  return rows.map((r) => {
    if (r.kind === "digits") return { digits: r.value };
    if (r.kind === "speech") return { speech: r.value };
    if (r.kind === "hangup") return { hangup: true };
    return { silence: true };
  });
}

const str = (v: unknown) => (v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v));

/** One transcript line, as plain text (user data is never rendered as HTML). */
export function describe(e: TranscriptEvent): string | null {
  switch (e.type) {
    case "request":
    case "document":
      return null;
    case "say":
      return `Say: ${str(e.text)}`;
    case "play":
      return `Play: ${str(e.url ?? e.digits)}`;
    case "gather":
      return `Gather (${Array.isArray(e.input) ? e.input.join(" ") : str(e.input)}${e.numDigits ? `, ${str(e.numDigits)} digits` : ""})`;
    case "caller":
      if (e.input === "digits") return `Caller pressed ${str(e.digits)}`;
      if (e.input === "speech") return `Caller said "${str(e.speech)}"`;
      return `Caller: ${str(e.input)}`;
    case "gather-timeout":
      return "Gather timed out";
    case "dial":
      return `Dial ${str(e.targets ?? e.number ?? e.to)}${e.status ? ` → ${str(e.status)}` : ""}`;
    case "record":
      return `Record${e.duration ? ` (${str(e.duration)} s)` : ""}`;
    case "hangup":
      return `Hang up (${str(e.reason)})`;
    case "redirect":
      return `Redirect ${str(e.url)}`;
    case "pause":
      return `Pause ${str(e.length)} s`;
    case "enqueue":
      return e.workflowSid ? `Enqueue (TaskRouter workflow ${str(e.workflowSid)})` : `Enqueue in ${str(e.queue)}`;
    case "hold-music":
      return e.source === "asset" ? `Hold music: ${str(e.url)}` : "Hold music (Twilio's default)";
    case "queued":
      return "On hold, waiting for an agent";
    case "connected":
      return `Connected to ${str(e.agent) || "an agent"}`;
    case "dequeue":
      return `Left the queue: ${str(e.result)} after ${str(e.queueTime)} s`;
    case "error":
    case "warning":
      return `${e.type === "error" ? "Error" : "Warning"} ${str(e.code)}: ${str(e.message)}`;
    default: {
      const { type, ...rest } = e;
      return `${type} ${JSON.stringify(rest)}`;
    }
  }
}

/** Call the flow live (keypad, typed speech, hang up) or script a caller and place the call. */
export function CallTab({ flowSid, onExecution }: { flowSid: string; onExecution?(sid: string): void }) {
  const [mode, setMode] = useState<"live" | "script">("live");
  const [from, setFrom] = useState(DEFAULT_CONTACT);
  const [to, setTo] = useState(DEFAULT_FLOW_NUMBER);
  const [rows, setRows] = useState<Row[]>([{ kind: "digits", value: "1" }]);
  const [result, setResult] = useState<CallResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const update = (i: number, patch: Partial<Row>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));

  const place = async () => {
    setBusy(true);
    setError(null);
    try {
      // The simulator runs the latest saved revision: its caller is one of the flow's test users.
      const detail = (await api.flow(flowSid)) as { test_users?: string[] };
      const users = detail.test_users ?? [];
      if (!users.includes(from.trim())) await api.setTestUsers(flowSid, [...users, from.trim()]);
      const r = await simApi.placeCall(flowSid, from.trim(), to.trim(), toInputs(rows));
      setResult(r);
      if (r.execution_sid) {
        void refreshExecution(r.execution_sid);
        onExecution?.(r.execution_sid);
      }
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const lines = (result?.transcript.events ?? []).map((e, i) => ({ e, i, text: describe(e) })).filter((x) => x.text !== null);
  return (
    <div className="sim-call" data-testid="sim-call">
      <div className="sim-numbers">
        <label>
          From (caller)
          <input data-testid="sim-call-from" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To (flow number)
          <input data-testid="sim-call-to" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
      </div>
      <div className="sim-call-modes" role="radiogroup" aria-label="Call mode">
        <label>
          <input type="radio" name="sim-call-mode" data-testid="sim-call-mode-live" checked={mode === "live"} onChange={() => setMode("live")} /> Live
        </label>
        <label>
          <input type="radio" name="sim-call-mode" data-testid="sim-call-mode-script" checked={mode === "script"} onChange={() => setMode("script")} /> Scripted
        </label>
      </div>
      {mode === "live" ? <LiveCall flowSid={flowSid} from={from} to={to} onExecution={onExecution} /> : <>
      <div className="sim-script" data-testid="sim-script">
        <div className="muted">The caller, in order (each Gather takes the next input):</div>
        {rows.map((r, i) => (
          <div className="sim-script-row" key={i} data-testid={`sim-script-row-${i}`}>
            <select aria-label="Input kind" value={r.kind} data-testid={`sim-script-kind-${i}`} onChange={(e) => update(i, { kind: e.target.value as Kind })}>
              <option value="digits">Digits</option>
              <option value="speech">Speech</option>
              <option value="silence">Silence</option>
              <option value="hangup">Hang up</option>
            </select>
            {(r.kind === "digits" || r.kind === "speech") && (
              <input aria-label="Input value" data-testid={`sim-script-value-${i}`} value={r.value} onChange={(e) => update(i, { value: e.target.value })} />
            )}
            <button type="button" aria-label="Remove input" onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}>
              ×
            </button>
          </div>
        ))}
        <button type="button" data-testid="sim-script-add" onClick={() => setRows((rs) => [...rs, { kind: "digits", value: "" }])}>
          + Input
        </button>
      </div>
      <button type="button" className="primary" data-testid="sim-place-call" disabled={busy} onClick={() => void place()}>
        {busy ? "Calling…" : "Place call"}
      </button>
      {error && (
        <div className="banner error" role="alert">
          {error}
        </div>
      )}
      {result && (
        <div className="sim-transcript" data-testid="sim-call-transcript">
          <div className="muted" data-testid="sim-call-status">
            Call {result.status}
            {result.transcript.ended ? ` · ended: ${result.transcript.ended}` : ""}
          </div>
          <ol>
            {lines.map(({ e, i, text }) => (
              <li key={i} data-event-type={e.type} className={`sim-ev sim-ev-${e.type}`}>
                {text}
              </li>
            ))}
          </ol>
        </div>
      )}
      </>}
    </div>
  );
}
