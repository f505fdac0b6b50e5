// The embeddable web chat (webchat/static/webchat/embed.js, a plain script served by Django): live
// messages can arrive out of order (two web processes push them). Each is drawn once, in index
// order, and a reconnect asks for the history from the last unbroken index, so nothing is lost.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import source from "../../../webchat/static/webchat/embed.js?raw";

class FakeSocket {
  static OPEN = 1;
  static all: FakeSocket[] = [];
  readyState = 1;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close() {}
}

const KEY = "studio-webchat:CVkey:FWflow";
const socket = () => FakeSocket.all[FakeSocket.all.length - 1];
const message = (index: number, body: string) => ({
  type: "message",
  message: { index, body, author: "system", attributes: "{}" },
});
const receive = (frame: unknown) => socket().onmessage?.({ data: JSON.stringify(frame) });
const shadow = () => (document.querySelector("[data-studio-webchat]") as HTMLElement).shadowRoot as ShadowRoot;
const drawn = () => [...shadow().querySelectorAll("[data-index]")].map((n) => n.getAttribute("data-index"));
const since = () => new URL(socket().url).searchParams.get("since");

beforeEach(() => {
  vi.useFakeTimers();
  FakeSocket.all = [];
  document.body.innerHTML =
    '<script src="http://chat.test/webchat/embed.js" data-key="CVkey" data-flow="FWflow"></script>';
  localStorage.setItem(
    KEY,
    JSON.stringify({
      conversation_sid: "CH1",
      identity: "visitor-1",
      token: "t",
      socket_path: "/ws/webchat/CH1",
      last: -1,
      outbox: [],
      closed: false,
    }),
  );
  vi.stubGlobal("WebSocket", FakeSocket);
  new Function(source)(); // the page loads the script; the saved chat goes on
  (shadow().querySelector("[data-webchat=launcher]") as HTMLElement).click(); // opens and connects
  socket().onopen?.();
  receive({ type: "history", state: "active", messages: [] });
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe("the embedded web chat", () => {
  it("draws messages that arrive out of order in index order, each once", () => {
    receive(message(1, "second"));
    receive(message(0, "first"));
    receive(message(1, "second")); // a push heard twice
    receive(message(2, "third"));
    expect(drawn()).toEqual(["0", "1", "2"]);
  });

  it("reconnects from the last unbroken index, so a message still on its way comes with the history", () => {
    receive(message(0, "first"));
    receive(message(2, "third")); // 1 is still on its way when the socket drops
    socket().onclose?.({ code: 1006 });
    vi.advanceTimersByTime(1000);
    expect(since()).toBe("0");

    socket().onopen?.();
    receive({ type: "history", state: "active", messages: [message(1, "second").message, message(2, "third").message] });
    expect(drawn()).toEqual(["0", "1", "2"]);
    socket().onclose?.({ code: 1006 });
    vi.advanceTimersByTime(2000);
    expect(since()).toBe("2");
  });
});
