import { useCallback, useEffect, useRef, useState } from "react";
import { simApi, type SimMessage } from "../api/client";
import { liveSocket, type LiveSocket } from "../lib/liveSocket";
import { refreshExecution } from "../live/monitor";
import {
  conversationSimApi, mergeMessages, socketUrl, type ConvMessage, type ServerFrame, type WebChatStart,
} from "./conversationApi";
import { Transcript } from "./Transcript";

const RECONNECT_MS = 1000;
const TYPING_SHOWN_MS = 4000;
const TYPING_SENT_MS = 2000;
const FLOW_AUTHOR = "system"; // the author of what the flow posts into a conversation

interface Pending {
  client_id: string;
  body: string;
}
type Link = "off" | "connecting" | "live" | "reconnecting";

function clientIdOf(m: ConvMessage): string | null {
  try {
    const attrs = JSON.parse(m.attributes ?? "{}") as { clientId?: unknown };
    return typeof attrs.clientId === "string" ? attrs.clientId : null;
  } catch {
    return null;
  }
}

/** The transcript's rows: the tester's messages as the contact's (inbound), the flow's and an
 * agent's as outbound (an agent's author shown), messages not yet acknowledged last. */
export function transcriptRows(messages: ConvMessage[], identity: string, pending: Pending[], conversationSid: string): SimMessage[] {
  const row = (sid: string, mine: boolean, from: string, body: string, status: string, media: string[] = [], at: string | null = null): SimMessage => ({
    direction: mine ? "inbound" : "outbound", sid, from, to: mine ? conversationSid : identity, body, media_urls: media,
    status, execution_sid: null, widget: null, date_created: at,
  });
  const rows = messages.map((m) => {
    const media = (m.media ?? []).map((x) => x?.url).filter((u): u is string => typeof u === "string" && u !== "");
    const mine = m.author === identity;
    return row(m.sid, mine, m.author, m.body, mine ? "received" : "delivered", media, m.date_created ?? null);
  });
  return [...rows, ...pending.map((p) => row(`pending-${p.client_id}`, true, identity, p.body, "pending"))];
}

/** Chat with the flow as a web chat visitor: a conversation wired to this flow (its latest saved
 * revision), messages over the visitor's socket, the flow's and then an agent's replies live. */
export function ConversationTab({ flowSid, onExecution }: { flowSid: string; onExecution?(sid: string): void }) {
  const [name, setName] = useState("");
  const [text, setText] = useState("");
  const [chat, setChat] = useState<WebChatStart | null>(null);
  const [messages, setMessages] = useState<ConvMessage[]>([]);
  const [pending, setPending] = useState<Pending[]>([]);
  const [state, setState] = useState<string | null>(null);
  const [link, setLink] = useState<Link>("off");
  const [typing, setTyping] = useState<string | null>(null);
  const [waiting, setWaiting] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const current = useRef<WebChatStart | null>(null);
  const socket = useRef<LiveSocket | null>(null);
  const ready = useRef(false); // the socket is open and its history arrived
  const outbox = useRef<Pending[]>([]); // not acknowledged yet: resent (once, by client_id) after a reconnect
  const last = useRef(-1);
  const execution = useRef<string | null>(null);
  const seq = useRef(0);
  const typingSent = useRef(0);
  const typingTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const list = useRef<HTMLOListElement>(null);

  // Where the conversation's execution is: the "Waiting at" line, and the canvas drawn now (the
  // monitor socket may be absent or slower than the reply).
  const follow = useCallback(async (c: WebChatStart) => {
    try {
      const page = await simApi.executionsPage(flowSid, { contact: c.identity, page_size: 10 });
      const ex = page.executions.find((x) => x.channel === c.conversation_sid);
      if (!ex || current.current !== c) return;
      execution.current = ex.sid;
      setWaiting(ex.status === "active" ? ex.current_widget : null);
      onExecution?.(ex.sid);
      void refreshExecution(ex.sid);
    } catch {
      /* transient: the next message follows again */
    }
  }, [flowSid, onExecution]);
  const followRef = useRef(follow);
  followRef.current = follow;

  const acknowledged = (clientId: string | null | undefined) => {
    if (!clientId) return;
    outbox.current = outbox.current.filter((p) => p.client_id !== clientId);
    setPending((xs) => xs.filter((p) => p.client_id !== clientId));
  };

  const sendFrame = (p: Pending) => socket.current?.send({ type: "message", body: p.body, client_id: p.client_id });

  const onFrame = (c: WebChatStart, f: ServerFrame) => {
    if (f.type === "history" || f.type === "message") {
      const incoming = f.type === "history" ? f.messages : [f.message];
      setMessages((xs) => mergeMessages(xs, incoming));
      for (const m of incoming) {
        last.current = Math.max(last.current, m.index);
        if (m.author === c.identity) acknowledged(clientIdOf(m));
        else setTyping((t) => (t === m.author ? null : t));
      }
      if (f.type === "history") {
        setState(f.state);
        setLink("live");
        ready.current = true;
        outbox.current.forEach(sendFrame);
      }
      if (incoming.length) void followRef.current(c);
    } else if (f.type === "state") {
      setState(f.state);
      void followRef.current(c);
    } else if (f.type === "typing") {
      setTyping(f.identity);
      if (typingTimer.current) clearTimeout(typingTimer.current);
      typingTimer.current = setTimeout(() => setTyping(null), TYPING_SHOWN_MS);
    } else if (f.type === "ack") {
      acknowledged(f.client_id);
      void followRef.current(c);
    } else if (f.type === "error") {
      acknowledged(f.client_id); // refused: resending would be refused again
      setError(`${f.message} (${f.code})`);
    }
  };

  // The visitor's socket: it asks for what followed the last index shown (`since`), so a socket
  // that comes back catches up by itself; the outbox is resent once its history arrived.
  const connect = (c: WebChatStart) => {
    ready.current = false;
    setLink("connecting");
    socket.current = liveSocket<ServerFrame>({
      url: () => socketUrl(c, last.current),
      baseMs: RECONNECT_MS,
      onMessage: (f) => onFrame(c, f),
      onDown() {
        ready.current = false;
        setLink("reconnecting");
      },
      onRefused() {
        ready.current = false;
        setLink("off");
        setError("The conversation's socket refused this page");
      },
    });
  };

  const hangUp = () => {
    socket.current?.close();
    socket.current = null;
    ready.current = false;
  };
  useEffect(() => hangUp, []);

  useEffect(() => {
    list.current?.lastElementChild?.scrollIntoView?.({ block: "end" });
  }, [messages, pending]);

  const begin = (c: WebChatStart) => {
    hangUp();
    current.current = c;
    last.current = -1;
    execution.current = null;
    outbox.current = [];
    setChat(c);
    setMessages([]);
    setPending([]);
    setWaiting(null);
    setTyping(null);
    setState(c.state);
    connect(c);
  };

  const open = async (): Promise<WebChatStart | null> => {
    setBusy(true);
    setError(null);
    try {
      const c = await conversationSimApi.start(flowSid, name.trim());
      begin(c);
      return c;
    } catch (e) {
      setError((e as Error).message);
      return null;
    } finally {
      setBusy(false);
    }
  };

  const send = async () => {
    const body = text.trim();
    if (!body) return;
    let c = current.current;
    if (!c || state === "closed") c = await open();
    if (!c) return;
    const p = { client_id: `s${Date.now().toString(36)}${seq.current++}`, body };
    outbox.current = [...outbox.current, p];
    setPending((xs) => [...xs, p]);
    setText("");
    if (ready.current) sendFrame(p);
  };

  const onType = (value: string) => {
    setText(value);
    const now = Date.now();
    if (ready.current && value && now - typingSent.current > TYPING_SENT_MS) {
      typingSent.current = now;
      socket.current?.send({ type: "typing" });
    }
  };

  const newConversation = async () => {
    const c = current.current;
    setError(null);
    hangUp();
    current.current = null;
    setChat(null);
    setMessages([]);
    setPending([]);
    setState(null);
    setWaiting(null);
    setLink("off");
    if (!c) return;
    try {
      await conversationSimApi.close(flowSid, c.conversation_sid);
      // As the SMS tab's "New conversation": the flow's execution in it ends too.
      const sid = execution.current;
      if (sid) {
        await simApi.endExecution(sid).catch(() => undefined);
        void refreshExecution(sid);
      }
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const rows = chat ? transcriptRows(messages, chat.identity, pending, chat.conversation_sid) : [];
  return (
    <div className="sim-chat" data-testid="sim-conversation">
      <div className="sim-numbers">
        <label>
          Name (pre-engagement form, optional)
          <input data-testid="sim-conv-name" value={name} disabled={!!chat && state !== "closed"} onChange={(e) => setName(e.target.value)} />
        </label>
      </div>
      {chat && (
        <div className="muted" data-testid="sim-conv-status" data-link={link} data-state={state ?? ""}>
          {chat.conversation_sid} · {state} · {link === "live" ? "● live" : link}
          {chat.revision !== null && <> · revision {chat.revision}</>}
        </div>
      )}
      <Transcript messages={rows} flowAddress={FLOW_AUTHOR} listRef={list} testId="sim-conv-messages" empty="Type a message to open a web chat conversation with the flow." />
      {typing && (
        <div className="muted" data-testid="sim-conv-typing">
          {typing} is typing…
        </div>
      )}
      {waiting && (
        <div className="muted" data-testid="sim-conv-waiting">
          Waiting at <strong>{waiting}</strong>
        </div>
      )}
      {state === "closed" && (
        <div className="muted" data-testid="sim-conv-closed">
          The conversation is closed: a new message opens another.
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
        <input data-testid="sim-conv-input" placeholder="Message as the visitor" aria-label="Conversation message" value={text} onChange={(e) => onType(e.target.value)} />
        <button type="submit" className="primary" data-testid="sim-conv-send" disabled={busy}>
          Send
        </button>
      </form>
      <button type="button" data-testid="sim-conv-new" onClick={() => void newConversation()} disabled={!chat}>
        New conversation
      </button>
    </div>
  );
}
