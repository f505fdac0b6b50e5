import { useCallback, useEffect, useState } from "react";
import { simApi, type Conversation, type ExecutionDetail } from "../api/client";
import { refreshExecution } from "../live/monitor";
import { DEFAULT_CONTACT, DEFAULT_FLOW_NUMBER } from "./ChatTab";
import { Transcript } from "./Transcript";

const POLL_MS = 2000;

/** Parse the Parameters box: empty is no parameters; anything else must be a JSON object. */
export function parseParameters(text: string): Record<string, unknown> {
  if (!text.trim()) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error("Parameters must be valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new Error("Parameters must be a JSON object");
  return value as Record<string, unknown>;
}

/** Start an execution as a script calling the Executions API would (To, From, Parameters). */
export function RestTab({ flowSid, onExecution }: { flowSid: string; onExecution?(sid: string): void }) {
  const [to, setTo] = useState(DEFAULT_CONTACT);
  const [from, setFrom] = useState(DEFAULT_FLOW_NUMBER);
  const [params, setParams] = useState("{}");
  const [sid, setSid] = useState<string | null>(null);
  const [conv, setConv] = useState<Conversation | null>(null);
  const [detail, setDetail] = useState<ExecutionDetail | null>(null);
  const [reply, setReply] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    if (!sid) return;
    try {
      const [c, d] = await Promise.all([simApi.conversation(flowSid, to.trim(), from.trim(), null), simApi.execution(sid)]);
      setConv({ ...c, messages: c.messages.filter((m) => m.execution_sid === sid) });
      setDetail(d);
    } catch {
      /* transient: the next poll retries */
    }
  }, [flowSid, sid, to, from]);

  useEffect(() => {
    if (!sid) return;
    const t = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(t);
  }, [sid, load]);

  const start = async () => {
    setError(null);
    let parameters: Record<string, unknown>;
    try {
      parameters = parseParameters(params);
    } catch (e) {
      setError((e as Error).message);
      return;
    }
    setBusy(true);
    try {
      const r = await simApi.restExecution(flowSid, to.trim(), from.trim(), parameters);
      setSid(r.execution_sid);
      onExecution?.(r.execution_sid);
      setConv({ ...r.conversation, messages: r.conversation.messages.filter((m) => m.execution_sid === r.execution_sid) });
      setDetail(await simApi.execution(r.execution_sid));
      void refreshExecution(r.execution_sid);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const answer = async () => {
    if (!sid) return;
    setError(null);
    try {
      // The contact answers as in the chat: a signed inbound message from To to From.
      await simApi.sendMessage(flowSid, to.trim(), from.trim(), reply);
      setReply("");
      await load();
      if (sid) void refreshExecution(sid);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  return (
    <div className="sim-rest" data-testid="sim-rest">
      <div className="sim-numbers">
        <label>
          To (contact)
          <input data-testid="sim-rest-to" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
        <label>
          From (flow number)
          <input data-testid="sim-rest-from" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
      </div>
      <label className="sim-rest-params">
        Parameters (JSON, read as flow.data)
        <textarea data-testid="sim-rest-params" rows={4} value={params} onChange={(e) => setParams(e.target.value)} spellCheck={false} />
      </label>
      <button type="button" className="primary" data-testid="sim-rest-start" disabled={busy} onClick={() => void start()}>
        Create execution
      </button>
      {error && (
        <div className="banner error" role="alert" data-testid="sim-rest-error">
          {error}
        </div>
      )}
      {sid && (
        <>
          <div className="muted" data-testid="sim-rest-execution" data-execution-sid={sid}>
            {sid} · {detail?.status ?? "…"}
            {detail?.current_widget ? ` · waiting at ${detail.current_widget}` : ""}
          </div>
          <Transcript messages={conv?.messages ?? []} flowAddress={from.trim()} empty="No messages yet." testId="sim-rest-messages" />
          {detail?.status === "active" && (
            <form
              className="sim-compose"
              onSubmit={(e) => {
                e.preventDefault();
                void answer();
              }}
            >
              <input data-testid="sim-rest-reply" placeholder="Reply as the contact" aria-label="Reply" value={reply} onChange={(e) => setReply(e.target.value)} />
              <button type="submit">Reply</button>
            </form>
          )}
          <ol className="sim-steps" data-testid="sim-rest-steps">
            {(detail?.steps ?? []).map((s) => (
              <li key={s.sid} data-testid="sim-rest-step">
                {s.from} —{s.name}→ {s.to}
              </li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}
