// The agent console (flex/static/flex/console.js, a plain script served by Django): every
// reservation offered to the agent's worker shows, whatever the order in which its notice, the
// page's reads and their answers arrive.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import source from "../../../flex/static/flex/console.js?raw";

type Reservation = Record<string, unknown>;
type Read = { committed: boolean; answer: () => void };

const offer: Reservation = {
  sid: "WR1",
  reservation_status: "pending",
  task: { sid: "WT1", assignment_status: "reserved", attributes: { name: "Bob" }, channel: "sms", priority: 0, age: 0, queue: "Everyone" },
  conversation: false,
  messages: [],
  call: null,
};
const chatting: Reservation = { ...offer, sid: "WR0", reservation_status: "accepted", conversation: true };

function agentState(reservations: Reservation[]) {
  return {
    contact_uri: "client:alice",
    workers: [
      {
        sid: "WK1",
        friendly_name: "Alice",
        workspace_sid: "WS1",
        activity_sid: "WA1",
        activity_name: "Available",
        available: true,
        activities: [],
        reservations,
      },
    ],
  };
}

class FakeSocket {
  static all: FakeSocket[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
}

/** A server whose answer is the state at the moment the read reached it: reads made before the
 * offer's commit answer without it, whenever their answer arrives. */
let before: Reservation[];
let after: Reservation[];
let committed: boolean;
let reads: Read[];
let inFlight: number;
let mostInFlight: number;

function fakeFetch(): Promise<unknown> {
  const state = committed ? after : before;
  inFlight += 1;
  mostInFlight = Math.max(mostInFlight, inFlight);
  return new Promise((resolve) => {
    reads.push({
      committed,
      answer: () => {
        inFlight -= 1;
        resolve({ ok: true, statusText: "OK", json: async () => agentState(state) });
      },
    });
  });
}

async function settle(): Promise<void> {
  for (let n = 0; n < 20; n++) await Promise.resolve();
}

/** Answer every outstanding read, newest first (the network may reorder them), until none is left. */
async function answerAll(): Promise<void> {
  for (;;) {
    await settle();
    const open = reads.filter((r) => !answered.has(r));
    if (!open.length) return;
    for (const read of open.reverse()) {
      answered.add(read);
      read.answer();
      await settle();
    }
  }
}
let answered: Set<Read>;

const shown = () => [...document.querySelectorAll("[data-reservation]")].map((n) => n.getAttribute("data-reservation"));
const socket = () => FakeSocket.all[FakeSocket.all.length - 1];

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
  before = [];
  after = [offer];
  committed = false;
  reads = [];
  answered = new Set();
  inFlight = 0;
  mostInFlight = 0;
  document.body.innerHTML = '<span id="live"></span><main id="root"></main>';
  document.body.dataset.page = "agent";
  vi.stubGlobal("fetch", vi.fn(fakeFetch));
  vi.stubGlobal("WebSocket", FakeSocket);
});

/** The page loads: its script runs (its first read starts, its socket connects). */
function openPage(): void {
  new Function(source)();
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("the agent console", () => {
  it("reads again after a notice that came during a read, and never draws an older answer last", async () => {
    openPage();
    expect(reads).toHaveLength(1); // the page's first read is under way
    socket().onopen?.();
    committed = true; // the reservation is committed, its notice arrives during that read
    socket().onmessage?.({ data: JSON.stringify({ type: "flex.changed", event_type: "reservation.created" }) });
    await answerAll();

    expect(shown()).toEqual(["WR1"]);
    expect(reads[reads.length - 1].committed).toBe(true);
    expect(mostInFlight).toBe(1); // one read at a time: answers cannot overtake each other
  });

  it("reads the state again when its socket reconnects (notices sent meanwhile are lost)", async () => {
    openPage();
    socket().onopen?.();
    await answerAll();
    expect(shown()).toEqual([]);

    socket().onclose?.();
    committed = true; // offered while the socket was down: its notice reached nobody
    vi.advanceTimersByTime(2000);
    expect(FakeSocket.all).toHaveLength(2);
    socket().onopen?.();
    await answerAll();

    expect(shown()).toEqual(["WR1"]);
  });

  it("keeps a notice that came while the agent typed a reply, and reads once the field is left", async () => {
    before = [chatting];
    after = [chatting, offer];
    openPage();
    socket().onopen?.();
    await answerAll();
    const reply = document.querySelector<HTMLInputElement>('[data-reply="WR0"]');
    expect(reply).not.toBeNull();
    reply!.focus();

    committed = true;
    socket().onmessage?.({ data: JSON.stringify({ type: "flex.changed", event_type: "reservation.created" }) });
    await answerAll();
    expect(shown()).toEqual(["WR0"]); // no redraw under the agent's cursor

    reply!.blur();
    vi.advanceTimersByTime(0);
    await answerAll();
    expect(shown()).toEqual(["WR0", "WR1"]);
  });
});
