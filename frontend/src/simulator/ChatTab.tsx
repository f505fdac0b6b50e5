import { useCallback, useEffect, useRef, useState } from "react";
import { simApi, type Conversation } from "../api/client";
import { liveStore } from "../live/liveStore";
import { refreshExecution } from "../live/monitor";
import { Transcript } from "./Transcript";

export const DEFAULT_CONTACT = "+15555550100";
export const DEFAULT_FLOW_NUMBER = "+15555550199";
const POLL_MS = 2000;
/** Chat with the flow as a contact: each message is a signed inbound webhook (same path as Twilio). */
export function ChatTab({ flowSid, onExecution }: { flowSid: string; onExecution?(sid: string): void }) {
  const [from, setFrom] = useState(DEFAULT_CONTACT);
  const [to, setTo] = useState(DEFAULT_FLOW_NUMBER);
  const [text, setText] = useState("");
  const [conv, setConv] = useState<Conversation | null>(null);
  const [since, setSince] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const list = useRef<HTMLOListElement>(null);

  const follow = useCallback((c: Conversation) => {
    setConv(c);
    // Draw where the execution is now (the socket may be absent or slower than this answer).
    const sid = c.active_execution?.sid ?? c.messages[c.messages.length - 1]?.execution_sid;
    if (sid) {
      void refreshExecution(sid);
      onExecution?.(sid);
    }
    else if (c.active_execution) liveStore.getState().actions.upsert(c.active_execution);
  }, [onExecution]);

  const convRef = useRef<Conversation | null>(null);
  convRef.current = conv;
  const load = useCallback(async () => {
    try {
      const c = await simApi.conversation(flowSid, from, to, since);
      const prev = convRef.current;
      const same =
        prev && prev.messages.length === c.messages.length &&
        prev.active_execution?.current_widget === c.active_execution?.current_widget;
      if (!same) follow(c);
    } catch {
      /* transient: the next poll retries */
    }
  }, [flowSid, from, to, since, follow]);

  // Replies can come later than the answer (timeouts, Celery workers): keep reading.
  useEffect(() => {
    const t = setInterval(() => void load(), POLL_MS);
    return () => clearInterval(t);
  }, [load]);

  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView?.({ block: "end" });
  }, [conv]);

  const send = async () => {
    if (!from.trim() || !to.trim()) return;
    setBusy(true);
    setError(null);
    try {
      const r = await simApi.sendMessage(flowSid, from.trim(), to.trim(), text);
      setText("");
      const c = since ? await simApi.conversation(flowSid, from, to, since) : r.conversation;
      follow(c);
      if (r.execution_sid) void refreshExecution(r.execution_sid);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  const newConversation = async () => {
    setError(null);
    try {
      const r = await simApi.reset(flowSid, from.trim(), to.trim());
      setSince(r.since);
      setConv(null);
      for (const sid of r.ended) void refreshExecution(sid);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const skipWait = async () => {
    const sid = conv?.active_execution?.sid;
    if (!sid) return;
    setError(null);
    try {
      await simApi.skipWait(sid);
      follow(await simApi.conversation(flowSid, from, to, since));
      void refreshExecution(sid);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const waiting = conv?.active_execution?.current_widget;
  return (
    <div className="sim-chat" data-testid="sim-chat">
      <div className="sim-numbers">
        <label>
          From (contact)
          <input data-testid="sim-from" value={from} onChange={(e) => setFrom(e.target.value)} />
        </label>
        <label>
          To (flow number)
          <input data-testid="sim-to" value={to} onChange={(e) => setTo(e.target.value)} />
        </label>
      </div>
      <Transcript
        messages={conv?.messages ?? []}
        flowAddress={to.trim()}
        listRef={list}
        empty="Type a message to start a conversation."
      />
      {waiting && (
        <div className="sim-live-controls">
          <span className="muted" data-testid="sim-waiting">
            Waiting at <strong>{waiting}</strong>
          </span>
          <button type="button" className="link" data-testid="sim-skip-wait" title="Fire the pending timeout now" onClick={() => void skipWait()}>
            Skip wait
          </button>
        </div>
      )}
      {error && (
        <div className="banner error" role="alert">
          {error}
        </div>
      )}
      <form
        className="sim-compose"
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
      >
        <input data-testid="sim-input" placeholder="Message as the contact" aria-label="Message" value={text} onChange={(e) => setText(e.target.value)} />
        <button type="submit" className="primary" data-testid="sim-send" disabled={busy}>
          Send
        </button>
      </form>
      <button type="button" data-testid="sim-new-conversation" onClick={() => void newConversation()}>
        New conversation
      </button>
    </div>
  );
}
