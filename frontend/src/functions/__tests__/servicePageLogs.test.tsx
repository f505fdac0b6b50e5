// A service's live logs: the latest from the API, then each line over the environment's log
// socket; after a drop the socket is opened again and the API read again, each line shown once.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { mount, type Mounted } from "../../testing/render";
import { sl, type LogEntry } from "../api";
import { ServicePage } from "../ServicePage";

class FakeSocket {
  static all: FakeSocket[] = [];
  closed = false;
  onopen: (() => void) | null = null;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
  close() {
    this.closed = true;
  }
  open() {
    act(() => this.onopen?.());
  }
  push(frame: unknown) {
    act(() => this.onmessage?.({ data: typeof frame === "string" ? frame : JSON.stringify(frame) }));
  }
  drop(code = 1006) {
    act(() => this.onclose?.({ code }));
  }
}

const log = (sid: string, second: number, message: string): LogEntry => ({
  sid, level: "info", message, function_sid: "ZH1", date_created: `2026-12-07T18:00:${String(second).padStart(2, "0")}Z`,
});
const elapse = (ms: number) => act(async () => { await vi.advanceTimersByTimeAsync(ms); });

describe("a service's live logs", () => {
  let view: Mounted | null = null;
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
    vi.stubGlobal("WebSocket", FakeSocket);
    vi.spyOn(sl, "service").mockResolvedValue({ sid: "ZS1", unique_name: "ivr", friendly_name: "IVR", domain_base: "ivr-1", include_credentials: true });
    vi.spyOn(sl, "environments").mockResolvedValue([{ sid: "ZE1", unique_name: "production", domain_suffix: null, domain_name: "ivr-1.example", build_sid: null }]);
    vi.spyOn(sl, "list").mockResolvedValue([]);
    vi.spyOn(sl, "builds").mockResolvedValue([]);
    vi.spyOn(sl, "variables").mockResolvedValue([]);
  });
  afterEach(() => {
    view?.unmount();
    view = null;
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it("reads the API again when the socket comes back, each line once and in time order", async () => {
    // The API answers newest first.
    const logs = vi.spyOn(sl, "logs").mockResolvedValueOnce([log("NO1", 1, "first")]).mockResolvedValueOnce([
      log("NO4", 4, "while down"), log("NO2", 2, "pushed"), log("NO1", 1, "first"),
    ]);
    view = mount(<ServicePage sid="ZS1" />);
    await elapse(0);
    const shown = () => view!.container.querySelector("[data-testid=logs]")!.textContent!.split("\n").map((l) => l.split(" ").pop());
    act(() => (view!.container.querySelector("h2 input[type=checkbox]") as HTMLInputElement).click());
    await elapse(0);
    expect(logs).toHaveBeenCalledWith("ZS1", "ZE1");
    expect(FakeSocket.all.map((s) => s.url)).toEqual([`ws://${location.host}/ws/functions/ZE1/logs`]);
    const first = FakeSocket.all[0];
    first.open();
    first.push("not json"); // ignored, the socket stays
    first.push({ type: "log.lines", logs: [log("NO2", 2, "pushed")] });
    expect(shown()).toEqual(["first", "pushed"]);

    first.drop();
    await elapse(1000);
    expect(FakeSocket.all).toHaveLength(2);
    expect(logs).toHaveBeenCalledTimes(1); // read again only once a socket is back
    FakeSocket.all[1].open();
    await elapse(0);
    expect(logs).toHaveBeenCalledTimes(2);
    expect(shown()).toEqual(["first", "pushed", "down"]);

    act(() => (view!.container.querySelector("h2 input[type=checkbox]") as HTMLInputElement).click());
    expect(FakeSocket.all[1].closed).toBe(true);
  });
});
