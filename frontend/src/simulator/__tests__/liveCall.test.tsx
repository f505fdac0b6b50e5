import { act } from "react";
import { createRoot } from "react-dom/client";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { simApi, type LiveCallTurn } from "../../api/client";
import { LiveCall } from "../LiveCall";

vi.mock("../../live/monitor", () => ({ refreshExecution: vi.fn() }));

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const waitingTurn: LiveCallTurn = {
  call_sid: "CA1",
  execution_sid: "FN1",
  status: "in-progress",
  waiting: { type: "gather", input: ["dtmf"] },
  events: [
    { type: "say", text: "Welcome" },
    { type: "play", url: "https://example.com/tone.mp3" },
    { type: "gather", input: ["dtmf"] },
  ],
};

describe("the live call", () => {
  let host: HTMLDivElement;
  const spoken: string[] = [];

  beforeEach(() => {
    host = document.createElement("div");
    document.body.appendChild(host);
    spoken.length = 0;
    Object.assign(window, {
      speechSynthesis: { speak: (u: { text: string }) => spoken.push(u.text), cancel: () => undefined },
    });
    (globalThis as Record<string, unknown>).SpeechSynthesisUtterance = class {
      constructor(public text: string) {}
    };
  });
  afterEach(() => {
    host.remove();
    vi.restoreAllMocks();
  });

  const click = async (testid: string) => {
    await act(async () => {
      (host.querySelector(`[data-testid=${testid}]`) as HTMLElement).click();
    });
  };

  it("shows Says, plays Play as audio, speaks with sound on, and sends keypad digits while waiting", async () => {
    vi.spyOn(simApi, "startLiveCall").mockResolvedValue(waitingTurn);
    const answer = vi.spyOn(simApi, "answerCall").mockResolvedValue({
      call_sid: "CA1",
      execution_sid: "FN1",
      status: "completed",
      waiting: null,
      events: [{ type: "caller", input: "digits", digits: "5" }, { type: "say", text: "Bye" }],
    });
    const root = createRoot(host);
    await act(async () => root.render(<LiveCall flowSid="FW1" from="+1555" to="+1666" />));
    await click("sim-sound");
    await click("sim-live-ring");
    expect(host.textContent).toContain("Say: Welcome");
    expect(host.querySelector("audio")?.getAttribute("src")).toBe("https://example.com/tone.mp3");
    expect(spoken).toEqual(["Welcome"]);
    expect(host.querySelector("[data-testid=sim-keypad]")).not.toBeNull();
    await click("sim-key-5");
    expect(answer).toHaveBeenCalledWith("CA1", { digits: "5" });
    expect(host.textContent).toContain("Caller pressed 5");
    expect(spoken).toEqual(["Welcome", "Bye"]);
    expect(host.querySelector("[data-testid=sim-keypad]")).toBeNull();
    expect(host.querySelector("[data-testid=sim-live-status]")?.getAttribute("data-status")).toBe("completed");
    act(() => root.unmount());
  });

  it("stays silent with sound off and hangs up on request", async () => {
    vi.spyOn(simApi, "startLiveCall").mockResolvedValue(waitingTurn);
    const answer = vi.spyOn(simApi, "answerCall").mockResolvedValue({ ...waitingTurn, status: "completed", waiting: null, events: [] });
    const root = createRoot(host);
    await act(async () => root.render(<LiveCall flowSid="FW1" from="+1555" to="+1666" />));
    await click("sim-live-ring");
    expect(spoken).toEqual([]);
    await click("sim-live-hangup");
    expect(answer).toHaveBeenCalledWith("CA1", { hangup: true });
    act(() => root.unmount());
  });
});
