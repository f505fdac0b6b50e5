import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { simApi, type ExecutionPage } from "../../api/client";
import { mount, typeInto, type Mounted } from "../../testing/render";
import { conversationSimApi, mergeMessages, socketUrl, type ConvMessage, type WebChatStart } from "../conversationApi";
import { ConversationTab, transcriptRows } from "../ConversationTab";

vi.mock("../../live/monitor", () => ({ refreshExecution: vi.fn() }));

/** A browser socket the test drives: what the page sent, and frames pushed from the server. */
class FakeSocket {
  static all: FakeSocket[] = [];
  static OPEN = 1;
  readyState = 0;
  sent: unknown[] = [];
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
  send(text: string) {
    this.sent.push(JSON.parse(text));
  }
  close() {
    this.readyState = 3;
  }
  push(frame: unknown) {
    act(() => this.onmessage?.({ data: JSON.stringify(frame) }));
  }
  drop(code = 1006) {
    act(() => this.onclose?.({ code }));
  }
}

const CH = "CH00000000000000000000000000000001";
const started: WebChatStart = {
  conversation_sid: CH,
  identity: "simulator-alice",
  token: "tok/en",
  socket_path: `/ws/webchat/${CH}`,
  state: "active",
  revision: 3,
  test_user_added: true,
};
const msg = (index: number, author: string, body: string, attributes = "{}"): ConvMessage => ({
  sid: `IM${index}`, index, author, body, attributes, media: null, date_created: null,
});
const page = (current: string | null): ExecutionPage => ({
  executions: [{ sid: "FN1", status: current ? "active" : "ended", current_widget: current, channel: CH, contact: "simulator-alice", stuck: false, stuck_reason: null }],
  next_page_token: null, page_size: 10, stuck_after: 0,
});
const flush = () => act(async () => { await new Promise((r) => setTimeout(r, 0)); });

describe("the simulator's Conversation tab", () => {
  let view: Mounted;
  const q = (id: string) => view.container.querySelector(`[data-testid=${id}]`) as HTMLElement;
  const bodies = () => [...view.container.querySelectorAll("[data-testid=sim-conv-messages] .sim-msg")].map((li) => [li.getAttribute("data-direction"), li.querySelector(".sim-body")?.textContent]);

  beforeEach(() => {
    FakeSocket.all = [];
    vi.stubGlobal("WebSocket", FakeSocket);
  });
  afterEach(() => {
    view?.unmount();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  const sendText = async (text: string) => {
    typeInto(q("sim-conv-input") as HTMLInputElement, text);
    await act(async () => q("sim-conv-send").click());
  };

  it("opens a conversation on the first message and talks over the visitor socket, the flow's replies live", async () => {
    const start = vi.spyOn(conversationSimApi, "start").mockResolvedValue(started);
    const executions = vi.spyOn(simApi, "executionsPage").mockResolvedValue(page("AskName"));
    const moved = vi.fn();
    view = mount(<ConversationTab flowSid="FW1" onExecution={moved} />);
    typeInto(q("sim-conv-name") as HTMLInputElement, "  ");
    await sendText("Hello");
    expect(start).toHaveBeenCalledWith("FW1", "");
    const ws = FakeSocket.all[0];
    expect(ws.url).toBe(`ws://${location.host}/ws/webchat/${CH}?token=tok%2Fen&since=-1`);
    expect(ws.sent).toEqual([]); // nothing before the socket's history
    expect(bodies()).toEqual([["inbound", "Hello"]]);
    expect(view.container.querySelector(".sim-msg")?.getAttribute("data-status")).toBe("pending");

    ws.push({ type: "history", state: "active", messages: [] });
    const frame = ws.sent[0] as { type: string; body: string; client_id: string };
    expect(frame).toMatchObject({ type: "message", body: "Hello" });
    expect(frame.client_id).toMatch(/^[a-z0-9]+$/i);
    // The flow's reply may overtake the tester's own message: shown in index order, each once.
    ws.push({ type: "message", message: msg(1, "system", "What's your name?") });
    ws.push({ type: "message", message: msg(0, "simulator-alice", "Hello", JSON.stringify({ clientId: frame.client_id })) });
    ws.push({ type: "ack", client_id: frame.client_id, index: 0 });
    await flush();
    expect(bodies()).toEqual([["inbound", "Hello"], ["outbound", "What's your name?"]]);
    expect(q("sim-conv-status").getAttribute("data-link")).toBe("live");
    expect(executions).toHaveBeenCalledWith("FW1", { contact: "simulator-alice", page_size: 10 });
    expect(q("sim-conv-waiting").textContent).toBe("Waiting at AskName");
    expect(moved).toHaveBeenCalledWith("FN1");

    // Later an agent: typing, then a reply shown with its author, as text.
    ws.push({ type: "typing", identity: "agent-ann" });
    expect(q("sim-conv-typing").textContent).toContain("agent-ann is typing");
    ws.push({ type: "message", message: msg(2, "agent-ann", "<script>window.__x=1</script>Hi") });
    expect(view.container.querySelector("script")).toBeNull();
    expect(bodies()[2]).toEqual(["outbound", "<script>window.__x=1</script>Hi"]);
    expect(view.container.querySelector("[data-testid=sim-sender]")?.textContent).toBe("agent-ann");
    expect(q("sim-conv-typing")).toBeNull();
    await flush();
  });

  it("reconnects from the last index it showed and resends what was not acknowledged", async () => {
    vi.spyOn(conversationSimApi, "start").mockResolvedValue(started);
    vi.spyOn(simApi, "executionsPage").mockResolvedValue(page(null));
    view = mount(<ConversationTab flowSid="FW1" />);
    await sendText("one");
    const first = FakeSocket.all[0];
    first.push({ type: "history", state: "active", messages: [msg(0, "simulator-alice", "earlier")] });
    const sent = first.sent[0] as { client_id: string };
    await flush();
    vi.useFakeTimers();
    first.drop();
    expect(q("sim-conv-status").getAttribute("data-link")).toBe("reconnecting");
    act(() => void vi.advanceTimersByTime(1000));
    const second = FakeSocket.all[1];
    expect(second.url).toContain("&since=0");
    second.push({ type: "history", state: "active", messages: [] });
    expect(second.sent).toEqual([{ type: "message", body: "one", client_id: sent.client_id }]);
  });

  it("starts anew on New conversation: the old one closed, its execution ended", async () => {
    vi.spyOn(conversationSimApi, "start").mockResolvedValue(started);
    vi.spyOn(simApi, "executionsPage").mockResolvedValue(page("AskName"));
    const close = vi.spyOn(conversationSimApi, "close").mockResolvedValue({ conversation_sid: CH, state: "closed" });
    const end = vi.spyOn(simApi, "endExecution").mockResolvedValue({ sid: "FN1", status: "ended", current_widget: null });
    view = mount(<ConversationTab flowSid="FW1" />);
    await sendText("Hello");
    FakeSocket.all[0].push({ type: "history", state: "active", messages: [msg(0, "system", "Asked")] });
    await flush();
    await act(async () => q("sim-conv-new").click());
    expect(close).toHaveBeenCalledWith("FW1", CH);
    expect(end).toHaveBeenCalledWith("FN1");
    expect(bodies()).toEqual([]);
    expect(FakeSocket.all[0].readyState).toBe(3);
  });

  it("shows why the server refused a message", async () => {
    vi.spyOn(conversationSimApi, "start").mockResolvedValue(started);
    vi.spyOn(simApi, "executionsPage").mockResolvedValue(page(null));
    view = mount(<ConversationTab flowSid="FW1" />);
    await sendText("flood");
    const ws = FakeSocket.all[0];
    ws.push({ type: "history", state: "active", messages: [] });
    const { client_id } = ws.sent[0] as { client_id: string };
    ws.push({ type: "error", code: 20429, message: "Too many requests", client_id });
    expect(view.container.querySelector("[role=alert]")?.textContent).toBe("Too many requests (20429)");
    expect(bodies()).toEqual([]);
  });
});

describe("the Conversation tab's helpers", () => {
  it("merges messages by index, each once", () => {
    const merged = mergeMessages([msg(0, "a", "x"), msg(2, "b", "z")], [msg(1, "c", "y"), msg(2, "b", "z")]);
    expect(merged.map((m) => m.index)).toEqual([0, 1, 2]);
  });
  it("builds the socket's address from the page's", () => {
    expect(socketUrl(started, 4, { protocol: "https:", host: "studio.example" })).toBe(
      `wss://studio.example/ws/webchat/${CH}?token=tok%2Fen&since=4`,
    );
  });
  it("shows the tester's messages as the contact's and media as links", () => {
    const rows = transcriptRows([{ ...msg(0, "agent", "pic"), media: [{ url: "https://x.example/a.png" }, { url: null }] }], "me", [{ client_id: "c1", body: "hi" }], CH);
    expect(rows.map((r) => [r.direction, r.from, r.status, r.media_urls])).toEqual([
      ["outbound", "agent", "delivered", ["https://x.example/a.png"]],
      ["inbound", "me", "pending", []],
    ]);
  });
});
