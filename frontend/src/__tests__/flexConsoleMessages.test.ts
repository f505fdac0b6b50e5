// The agent console (flex/static/flex/console.js) keeps each conversation's messages itself: a
// ``flex.message`` event on its socket is appended without re-reading the agent's view; a gap in
// the indexes (an event lost, a reconnect) fetches only the missing range; a message already
// shown is not shown twice; bodies are text, never markup.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
// @ts-expect-error -- node's fs (the app is typed for the browser only; tests run in node).
import { readFileSync } from "node:fs";

declare const process: { cwd(): string }; // vitest runs from frontend/
const SCRIPT: string = readFileSync(`${process.cwd()}/../flex/static/flex/console.js`, "utf8");

const CH = "CH" + "a".repeat(32);
type Message = { sid: string; index: number; direction: string; from: string; body: string; media: unknown[] };

/** The server: the conversation's stored messages, answering the console's reads as the API does. */
let stored: Message[];
let calls: string[];

function message(index: number, body: string, direction = "inbound"): Message {
  return { sid: `IM${index}`, index, direction, from: direction === "inbound" ? "visitor-1" : "alice", body, media: [] };
}

function view() {
  const last = stored.length ? stored[stored.length - 1].index : null;
  return {
    contact_uri: "client:alice",
    workers: [{
      sid: "WK1", friendly_name: "alice", activity_name: "Available", activity_sid: "WA1", activities: [],
      reservations: [{
        sid: "WR1", reservation_status: "accepted", conversation: true, messages: null, last_index: last, call: null,
        task: { sid: "WT1", channel: "chat", age: 3, queue: "Everyone", attributes: { name: "Ann", conversationSid: CH } },
      }],
    }],
  };
}

async function fakeFetch(url: string, init?: { method?: string; body?: string }) {
  calls.push(`${init?.method || "GET"} ${url}`);
  let data: unknown;
  const range = url.match(/reservations\/WR1\/messages(?:\?after=(-?\d+))?$/);
  if (range && init?.method === "POST") {
    const sent = message(stored.length ? stored[stored.length - 1].index + 1 : 0, JSON.parse(init.body!).body, "outbound");
    stored.push(sent);
    data = { message: sent };
  } else if (range) {
    const after = range[1] === undefined ? null : Number(range[1]);
    const rows = after === null ? stored.slice(-100) : stored.filter((m) => m.index > after);
    data = { conversation_sid: CH, messages: rows, more: false, last_index: stored.length ? stored[stored.length - 1].index : null };
  } else data = view();
  return { ok: true, statusText: "OK", json: async () => data };
}

class FakeSocket {
  static OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(public url: string) { FakeSocket.all.push(this); }
  send(text: string): void { this.sent.push(text); }
  open(): void { this.readyState = FakeSocket.OPEN; this.onopen!(); }
  close(): void { this.readyState = 3; this.onclose!(); }
}

const socket = () => FakeSocket.all[FakeSocket.all.length - 1];
const settle = async () => { for (let n = 0; n < 30; n++) await Promise.resolve(); };
const lines = () => [...document.querySelectorAll(`[data-messages="${CH}"] [data-index]`)].map(
  (n) => `${n.getAttribute("data-index")}:${n.lastChild!.textContent}`);
const viewReads = () => calls.filter((c) => c.includes("/agent?") || c.endsWith("/agent")).length;
const rangeReads = () => calls.filter((c) => c.startsWith("GET") && c.includes("/messages"));

function hear(m: Message): void {  // the server's event for a message it stored
  socket().onmessage!({ data: JSON.stringify({ type: "flex.message", conversation_sid: CH, message: m }) });
}

function say(body: string): Message {  // the visitor writes: stored, then announced
  const m = message(stored.length ? stored[stored.length - 1].index + 1 : 0, body);
  stored.push(m);
  return m;
}

beforeEach(async () => {
  vi.useFakeTimers();
  FakeSocket.all = [];
  stored = [message(0, "hello"), message(1, "What is your name?", "outbound"), message(2, "Ann")];
  calls = [];
  document.body.innerHTML = '<span id="live"></span><main id="root"></main>';
  document.body.dataset.page = "agent";
  vi.stubGlobal("fetch", vi.fn(fakeFetch));
  vi.stubGlobal("WebSocket", FakeSocket);
  new Function(SCRIPT)();
  socket().open();
  await settle();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("the agent console's conversation messages", () => {
  it("reads the view without histories, then the conversation's messages once", () => {
    expect(calls[0]).toBe("GET /api/console/flex/agent?messages=0");
    expect(rangeReads()).toEqual(["GET /api/console/flex/agent/WK1/reservations/WR1/messages"]);
    expect(lines()).toEqual(["0:hello", "1:What is your name?", "2:Ann"]);
  });

  it("appends a message from its event, reading nothing", async () => {
    const before = calls.length;
    hear(say("my order is late"));
    await settle();
    expect(lines()).toEqual(["0:hello", "1:What is your name?", "2:Ann", "3:my order is late"]);
    expect(calls.length).toBe(before);
  });

  it("shows a message heard twice once, and its own reply once (answer and event)", async () => {
    const reads = viewReads();
    const m = say("twice");
    hear(m);
    hear(m);
    const reply = document.querySelector<HTMLInputElement>('[data-reply="WR1"]')!;
    reply.value = "On it";
    reply.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    await settle();
    // The live socket carries the reply; the server stores it and answers with the message.
    const frame = JSON.parse(socket().sent[socket().sent.length - 1]);
    expect(frame).toMatchObject({ type: "reply", reservation: "WR1", body: "On it" });
    const sent = message(4, "On it", "outbound");
    stored.push(sent);
    socket().onmessage!({ data: JSON.stringify({ type: "flex.reply", client_id: frame.client_id, message: sent }) });
    await settle();
    hear(sent); // the reply's own event comes after the answer
    await settle();
    expect(lines()).toEqual(["0:hello", "1:What is your name?", "2:Ann", "3:twice", "4:On it"]);
    expect(reply.value).toBe("");
    expect(viewReads()).toBe(reads); // sending re-reads nothing
    expect(calls.filter((c) => c.startsWith("POST"))).toEqual([]); // and posts nothing
  });

  it("posts a reply (same client id) when the socket closes before its answer", async () => {
    const reply = document.querySelector<HTMLInputElement>('[data-reply="WR1"]')!;
    reply.value = "Still there?";
    reply.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter" }));
    await settle();
    const frame = JSON.parse(socket().sent[socket().sent.length - 1]);
    socket().close();
    await settle();
    expect(calls.filter((c) => c.startsWith("POST"))).toEqual(["POST /api/console/flex/agent/WK1/reservations/WR1/messages"]);
    const posted = (vi.mocked(fetch).mock.calls.find((c) => (c[1] as { method?: string })?.method === "POST")![1] as { body: string }).body;
    expect(JSON.parse(posted)).toMatchObject({ body: "Still there?", client_id: frame.client_id });
    expect(lines()[3]).toBe("3:Still there?");
  });

  it("fetches the range it missed when an index is skipped, and shows all in order", async () => {
    say("lost on the way"); // its event never comes
    const next = say("after it");
    hear(next);
    await settle();
    expect(rangeReads()[rangeReads().length - 1]).toBe("GET /api/console/flex/agent/WK1/reservations/WR1/messages?after=2");
    expect(lines()).toEqual(["0:hello", "1:What is your name?", "2:Ann", "3:lost on the way", "4:after it"]);
    hear(next); // late duplicate
    await settle();
    expect(lines()).toHaveLength(5);
  });

  it("catches up after a reconnect from the last index it shows, without doubling", async () => {
    socket().close();
    say("while away 1");
    say("while away 2");
    vi.advanceTimersByTime(2000);
    expect(FakeSocket.all).toHaveLength(2);
    socket().open();
    await settle();
    expect(rangeReads()[rangeReads().length - 1]).toBe("GET /api/console/flex/agent/WK1/reservations/WR1/messages?after=2");
    hear(stored[4]); // an event for one of them arrives late: already shown
    await settle();
    expect(lines()).toEqual(["0:hello", "1:What is your name?", "2:Ann", "3:while away 1", "4:while away 2"]);
  });

  it("re-reads the view only once a minute while the socket is live, every 5 s without it", async () => {
    const reads = viewReads();
    vi.advanceTimersByTime(55000);
    await settle();
    expect(viewReads()).toBe(reads);
    vi.advanceTimersByTime(5000);
    await settle();
    expect(viewReads()).toBe(reads + 1);
    socket().close();
    vi.advanceTimersByTime(1000); // the reconnect is 2 s away: no socket for the next tick
    await settle();
    const down = viewReads();
    vi.advanceTimersByTime(1000);
    expect(FakeSocket.all).toHaveLength(2); // reconnecting, not open yet
    vi.advanceTimersByTime(4000);
    await settle();
    expect(viewReads()).toBeGreaterThan(down);
  });

  it("on a re-read that finds it behind, waits a moment for the event before fetching", async () => {
    const ranges = rangeReads().length;
    const onItsWay = say("on its way");
    vi.advanceTimersByTime(60000); // the live socket's safety re-read: the view says index 3, the page shows 2
    await settle();
    hear(onItsWay); // the event comes within the moment: nothing to fetch
    vi.advanceTimersByTime(2000);
    await settle();
    expect(rangeReads()).toHaveLength(ranges);

    say("its event is lost");
    vi.advanceTimersByTime(60000);
    await settle();
    vi.advanceTimersByTime(2000); // still behind: the range is fetched
    await settle();
    expect(rangeReads()).toHaveLength(ranges + 1);
    expect(lines().slice(3)).toEqual(["3:on its way", "4:its event is lost"]);
  });

  it("keeps appending under the agent's cursor (no redraw while a reply is typed)", async () => {
    const reply = document.querySelector<HTMLInputElement>('[data-reply="WR1"]')!;
    reply.focus();
    reply.value = "half a sente";
    hear(say("are you there?"));
    await settle();
    expect(lines()[3]).toBe("3:are you there?");
    expect(document.activeElement).toBe(reply);
    expect(reply.value).toBe("half a sente");
  });

  it("shows a body as text, never as markup", async () => {
    hear(say('<img src=x onerror="window.pwned=1"><b>bold</b>'));
    await settle();
    const line = document.querySelector(`[data-messages="${CH}"] [data-index="3"]`)!;
    expect(line.querySelector("img, b")).toBeNull();
    expect(line.textContent).toContain('<img src=x onerror="window.pwned=1"><b>bold</b>');
  });
});
