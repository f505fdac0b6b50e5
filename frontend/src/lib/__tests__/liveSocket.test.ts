// The console's reconnecting socket: opened again after a drop (backing off, capped, jittered),
// never after close() or a refusal, with a hook on each reopening so callers re-read what they missed.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { backoff, liveSocket, wsUrl, type LiveSocketOptions } from "../liveSocket";

/** A browser socket the test drives: opened, frames pushed, errors, closes with a code. */
class FakeSocket {
  static all: FakeSocket[] = [];
  static refuse = false; // the constructor throws (as for a blocked URL)
  closed = false;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onerror: (() => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  constructor(public url: string) {
    if (FakeSocket.refuse) throw new SyntaxError("blocked");
    FakeSocket.all.push(this);
  }
  send(text: string) {
    if (this.closed) throw new Error("closed");
    this.sent.push(text);
  }
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.();
  }
  push(data: unknown) {
    this.onmessage?.({ data });
  }
  drop(code = 1006) {
    this.closed = true;
    this.onclose?.({ code });
  }
}

const last = () => FakeSocket.all[FakeSocket.all.length - 1];

describe("liveSocket", () => {
  let options: LiveSocketOptions<{ type?: string }>;
  const onMessage = vi.fn();
  const onOpen = vi.fn();
  const onReconnect = vi.fn();
  const onDown = vi.fn();
  const onRefused = vi.fn();

  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
    FakeSocket.refuse = false;
    vi.stubGlobal("WebSocket", FakeSocket);
    [onMessage, onOpen, onReconnect, onDown, onRefused].forEach((f) => f.mockReset());
    options = { url: "ws://studio.example/ws/x", baseMs: 1000, maxMs: 8000, random: () => 1, onMessage, onOpen, onReconnect, onDown, onRefused };
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it("builds the socket's URL from the page's origin, wss under https", () => {
    expect(wsUrl("/ws/flows/FW1/monitor", { protocol: "https:", host: "studio.example" })).toBe("wss://studio.example/ws/flows/FW1/monitor");
    expect(wsUrl("/ws/a?b=1", { protocol: "http:", host: "127.0.0.1:8000" })).toBe("ws://127.0.0.1:8000/ws/a?b=1");
  });

  it("waits twice as long after each failed attempt, up to the cap, jittered between half and all of it", () => {
    expect([0, 1, 2, 3, 4, 9].map((n) => backoff(n, 1000, 8000, () => 1))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect([0, 1, 2, 3, 4].map((n) => backoff(n, 1000, 8000, () => 0))).toEqual([500, 1000, 2000, 4000, 4000]);
    expect(backoff(1, 1000, 8000, () => 0.5)).toBe(1500);
  });

  it("opens again after each drop, backing off while no socket opens", () => {
    liveSocket(options);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      const before = FakeSocket.all.length;
      last().drop(1006);
      const wait = onDown.mock.calls.at(-1)![0] as number;
      waits.push(wait);
      vi.advanceTimersByTime(wait - 1);
      expect(FakeSocket.all).toHaveLength(before); // not a moment early
      vi.advanceTimersByTime(1);
      expect(FakeSocket.all).toHaveLength(before + 1);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(onOpen).not.toHaveBeenCalled();
  });

  it("calls onOpen on each opening and onReconnect on each after the first, starting the backoff over", () => {
    let cursor = 0;
    liveSocket({ ...options, url: () => `ws://studio.example/ws/x?since=${cursor}` });
    last().open();
    expect(onOpen).toHaveBeenCalledTimes(1);
    expect(onReconnect).not.toHaveBeenCalled();

    cursor = 7; // what the page has shown since: the next attempt asks from there
    last().drop();
    vi.advanceTimersByTime(1000);
    last().drop(); // a failed attempt: the wait doubles
    vi.advanceTimersByTime(2000);
    expect(FakeSocket.all.map((s) => s.url.split("=")[1])).toEqual(["0", "7", "7"]);
    last().open();
    expect(onOpen).toHaveBeenCalledTimes(2);
    expect(onReconnect).toHaveBeenCalledTimes(1);

    last().drop(); // after an opening, the first wait again
    expect(onDown.mock.calls.map((c) => c[0])).toEqual([1000, 2000, 1000]);
  });

  it("retries once for an error followed by its close", () => {
    liveSocket(options);
    last().onerror!();
    expect(last().closed).toBe(true);
    last().drop(1006);
    expect(onDown).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(10_000);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("ignores the close of a socket already replaced after its error", () => {
    const live = liveSocket(options);
    const first = last();
    first.onerror!();
    vi.advanceTimersByTime(1000);
    last().open();
    first.drop(1006); // late
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(2);
    expect(live.send({ type: "ping" })).toBe(true);
    expect(last().sent).toEqual(['{"type":"ping"}']);
  });

  it("retries when no socket can even be made", () => {
    FakeSocket.refuse = true;
    liveSocket(options);
    expect(FakeSocket.all).toHaveLength(0);
    expect(onDown).toHaveBeenCalledWith(1000);
    FakeSocket.refuse = false;
    vi.advanceTimersByTime(1000);
    expect(FakeSocket.all).toHaveLength(1);
  });

  it("stops for good on close(): the socket closed, a pending retry cancelled, nothing more reported", () => {
    const live = liveSocket(options);
    const first = last();
    first.open();
    live.close();
    expect(first.closed).toBe(true);
    first.push('{"type":"step"}');
    first.drop();
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(onMessage).not.toHaveBeenCalled();
    expect(onDown).not.toHaveBeenCalled();

    const other = liveSocket(options);
    last().drop();
    other.close(); // while waiting to retry
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it.each([4403, 4404, 1008])("does not open again after the server refused with %i", (code) => {
    liveSocket(options);
    last().open();
    last().drop(code);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(onRefused).toHaveBeenCalledWith(code);
    expect(onDown).not.toHaveBeenCalled();
  });

  it("a refusal after an error cancels the retry the error scheduled", () => {
    liveSocket(options);
    last().onerror!();
    last().drop(4403);
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    expect(onRefused).toHaveBeenCalledWith(4403);
  });

  it.each([1000, 1001, 1006, 1011, 4000])("opens again after a close with %i", (code) => {
    liveSocket(options);
    last().drop(code);
    vi.advanceTimersByTime(1000);
    expect(FakeSocket.all).toHaveLength(2);
    expect(onRefused).not.toHaveBeenCalled();
  });

  it("passes JSON objects on and drops anything else", () => {
    liveSocket(options);
    last().open();
    for (const junk of ["not json", "{", "null", "42", '"step"', "[1,2]", ""]) last().push(junk);
    expect(onMessage).not.toHaveBeenCalled();
    last().push('{"type":"step","to":"ask"}');
    expect(onMessage).toHaveBeenCalledTimes(1);
    expect(onMessage).toHaveBeenCalledWith({ type: "step", to: "ask" });
    expect(FakeSocket.all).toHaveLength(1); // the socket stays
  });

  it("sends frames as JSON, and says when there is no socket to take them", () => {
    const live = liveSocket(options);
    last().open();
    expect(live.send({ type: "typing" })).toBe(true);
    expect(last().sent).toEqual(['{"type":"typing"}']);
    last().drop();
    expect(live.send({ type: "typing" })).toBe(false);
    vi.advanceTimersByTime(1000);
    last().closed = true; // a socket the browser would refuse to send on
    expect(live.send({ type: "typing" })).toBe(false);
  });
});
