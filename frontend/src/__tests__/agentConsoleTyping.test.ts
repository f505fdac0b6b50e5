// The agent console (flex/static/flex/console.js, a plain script the Django page serves) shows
// "… is typing…" under a conversation task when its live socket says the visitor types, and only
// there; other notices still make it re-read its state.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
// @ts-expect-error -- node's fs (the app is typed for the browser only; tests run in node). The
// script lies outside the frontend's root, which Vite's own loader refuses to read.
import { readFileSync } from "node:fs";

declare const process: { cwd(): string }; // vitest runs from frontend/
const SCRIPT: string = readFileSync(`${process.cwd()}/../flex/static/flex/console.js`, "utf8");

const CH = "CH" + "a".repeat(32);
const state = {
  workers: [{
    sid: "WK1", friendly_name: "alice", activity_name: "Available", activity_sid: "WA1", activities: [],
    reservations: [
      conversationTask("WR1", CH, "Ann"),
      conversationTask("WR2", "CH" + "b".repeat(32), "Bo"),
    ],
  }],
};

function conversationTask(sid: string, conversationSid: string, name: string) {
  return {
    sid, reservation_status: "accepted", conversation: true, messages: [],
    task: { sid: "WT" + sid, channel: "chat", age: 3, queue: "Everyone", attributes: { name, conversationSid } },
  };
}

class FakeSocket {
  static last: FakeSocket | null = null;
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(public url: string) { FakeSocket.last = this; }
}

const flush = () => new Promise((done) => setTimeout(done, 0));

describe("the agent console's typing indicator", () => {
  let fetchMock: ReturnType<typeof vi.fn>;

  beforeEach(async () => {
    document.body.innerHTML = '<span id="live"></span><div id="root"></div>';
    document.body.dataset.page = "agent";
    fetchMock = vi.fn(async () => ({ ok: true, json: async () => state }));
    vi.stubGlobal("fetch", fetchMock);
    vi.stubGlobal("WebSocket", FakeSocket);
    new Function(SCRIPT)();
    await flush();
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  const typingLine = (sid: string) =>
    document.querySelector<HTMLElement>(`[data-reservation="${sid}"] [data-typing]`)!;

  it("shows who types under that conversation's task only, then clears it", async () => {
    expect(FakeSocket.last!.url).toContain("/ws/flex/live?view=agent");
    expect(typingLine("WR1").textContent).toBe("");
    vi.useFakeTimers();
    const reads = fetchMock.mock.calls.length;
    FakeSocket.last!.onmessage!({ data: JSON.stringify({ type: "flex.typing", conversation_sid: CH, identity: "visitor-1" }) });
    expect(typingLine("WR1").textContent).toBe("Ann is typing…"); // the task's name, not the chat identity
    expect(typingLine("WR2").textContent).toBe("");
    expect(fetchMock.mock.calls.length).toBe(reads); // a typing notice is not a state change
    vi.advanceTimersByTime(4100);
    expect(typingLine("WR1").textContent).toBe("");
  });

  it("re-reads its state on any other notice", async () => {
    const reads = fetchMock.mock.calls.length;
    FakeSocket.last!.onmessage!({ data: JSON.stringify({ type: "flex.changed", event_type: "reservation.created" }) });
    await flush();
    expect(fetchMock.mock.calls.length).toBe(reads + 1);
  });

  it("keeps the indicator across a redraw while it lasts", async () => {
    FakeSocket.last!.onmessage!({ data: JSON.stringify({ type: "flex.typing", conversation_sid: CH, identity: "visitor-1" }) });
    FakeSocket.last!.onmessage!({ data: JSON.stringify({ type: "flex.changed" }) });
    await flush();
    await flush();
    expect(typingLine("WR1").textContent).toBe("Ann is typing…");
  });
});
