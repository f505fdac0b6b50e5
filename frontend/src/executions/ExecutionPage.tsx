import { useCallback, useEffect, useState } from "react";
import { consoleApi, type ExecutionTrace, type LogEntry, type TracedCall, type TracedMessage, type TracedStep } from "../api/console";
import { JsonTree } from "../components/JsonTree";
import { canChange, useRole } from "../shell/useRole";
import { fmt } from "./ExplorerPage";

/** `/executions/{FN}`: its steps with what each exchanged and raised, its context, its path. */
export function ExecutionPage({ sid }: { sid: string }) {
  const [trace, setTrace] = useState<ExecutionTrace | null>(null);
  const [error, setError] = useState<string | null>(null);
  const readOnly = !canChange(useRole());

  const load = useCallback(() => {
    consoleApi.trace(sid).then(setTrace).catch((e: Error) => setError(e.message));
  }, [sid]);
  useEffect(load, [load]);

  const end = async () => {
    try {
      await consoleApi.endOne(sid);
      load();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const remove = async () => {
    if (!confirm(`Delete ${sid} and its steps? This cannot be undone.`)) return;
    try {
      await consoleApi.deleteOne(sid);
      window.location.href = "/executions";
    } catch (e) {
      setError((e as Error).message);
    }
  };

  if (!trace) {
    return (
      <main className="page">
        <p><a href="/executions">← Executions</a></p>
        {error ? <p className="banner error" role="alert">{error}</p> : <p className="muted">Loading…</p>}
      </main>
    );
  }
  const inbound = trace.messages.filter((m) => m.direction === "inbound");
  return (
    <main className="page execution-page" data-testid="execution-page">
      <p><a href="/executions">← Executions</a></p>
      <h1 className="one-line" title={trace.sid}>
        <span className="mono">{trace.sid}</span> <span className="badge" data-testid="execution-status">{trace.status}</span>
      </h1>
      {error && <p className="banner error" role="alert">{error}</p>}
      <dl className="facts">
        <dt>Flow</dt>
        <dd className="one-line" title={trace.flow_name}>
          {trace.flow_name} · revision {trace.revision}
        </dd>
        <dt>Path</dt>
        <dd>
          <a href={`/flows/${trace.flow_sid}?execution=${trace.sid}`} data-testid="show-path">Show its path on the canvas</a>
        </dd>
        <dt>Contact</dt>
        <dd className="mono">{trace.contact} ↔ {trace.channel}</dd>
        <dt>Trigger</dt>
        <dd>{trace.trigger_event}</dd>
        <dt>Started</dt>
        <dd>{fmt(trace.date_created)}</dd>
        <dt>{trace.status === "ended" ? "Ended" : "Waiting at"}</dt>
        <dd>{trace.status === "ended" ? fmt(trace.date_ended) : trace.current_widget ?? "—"}</dd>
      </dl>
      <div className="row">
        <button type="button" disabled={readOnly || trace.status !== "active"} onClick={() => void end()} data-testid="end-execution">
          End
        </button>
        <button type="button" className="danger" disabled={readOnly} onClick={() => void remove()} data-testid="delete-execution">
          Delete
        </button>
      </div>

      <h2>Steps ({trace.steps.length})</h2>
      {inbound.length > 0 && (
        <details>
          <summary>Messages from the contact ({inbound.length})</summary>
          {inbound.map((m) => <MessageLine key={m.sid} m={m} />)}
        </details>
      )}
      {trace.calls
        .filter((c) => c.direction === "inbound")
        .map((c) => <CallBlock key={c.sid} c={c} />)}
      <ol className="steps" data-testid="steps">
        {trace.steps.map((s) => <StepItem key={s.sid} step={s} />)}
      </ol>
      {trace.unplaced_log.length > 0 && (
        <>
          <h2>Other log entries</h2>
          <LogList entries={trace.unplaced_log} />
        </>
      )}
      <h2>Execution context</h2>
      <JsonTree value={trace.context} openDepth={1} />
    </main>
  );
}

function StepItem({ step }: { step: TracedStep }) {
  const worst = step.log.some((l) => l.level === "error") ? "error" : step.log.some((l) => l.level === "warning") ? "warning" : "";
  return (
    <li className={`step ${worst}`} data-testid="step">
      <div className="row">
        <strong>{step.from}</strong> → <strong>{step.to}</strong>
        <span className="badge">{step.name}</span>
        {step.widget_type && <span className="muted small">{step.widget_type}</span>}
        <span className="spacer" />
        <span className="muted small">{fmt(step.date_created)}</span>
      </div>
      {step.log.length > 0 && <LogList entries={step.log} />}
      {step.messages.map((m) => <MessageLine key={m.sid} m={m} />)}
      {step.calls.map((c) => <CallBlock key={c.sid} c={c} />)}
      {step.http && (
        <div className="http" data-testid="step-http">
          HTTP {String(step.http.status_code ?? "—")} {step.http.content_type ? `· ${String(step.http.content_type)}` : ""}
          <JsonTree value={step.http.body} name="body" openDepth={0} />
        </div>
      )}
      <details>
        <summary className="small">Context</summary>
        <JsonTree value={step.context} openDepth={1} />
      </details>
    </li>
  );
}

function LogList({ entries }: { entries: LogEntry[] }) {
  return (
    <ul className="log" data-testid="step-log">
      {entries.map((l, i) => (
        <li key={i} className={l.level}>
          <strong>{l.level}</strong>{l.code ? ` ${l.code}` : ""}: {l.message}
        </li>
      ))}
    </ul>
  );
}

function MessageLine({ m }: { m: TracedMessage }) {
  const out = m.direction !== "inbound";
  return (
    <div className={`msg ${out ? "out" : "in"}`} data-testid="step-message">
      <span className="muted small">{out ? `sent ${m.from} → ${m.to}` : `received from ${m.from}`} · {m.status}</span>
      <div>{m.body}</div>
      {m.media_urls.map((u) => <a key={u} href={u} className="small">{u}</a>)}
    </div>
  );
}

function CallBlock({ c }: { c: TracedCall }) {
  return (
    <details className="call" data-testid="step-call">
      <summary>
        Call {c.from} → {c.to} · {c.status}
      </summary>
      {c.twiml && <pre className="twiml">{c.twiml}</pre>}
      {c.transcript?.events?.length ? <JsonTree value={c.transcript.events} name="transcript" openDepth={0} /> : null}
    </details>
  );
}
