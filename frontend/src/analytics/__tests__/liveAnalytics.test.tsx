import { ReactFlowProvider } from "@xyflow/react";
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { simApi, type FlowAnalytics } from "../../api/client";
import { mount, type Mounted } from "../../testing/render";
import { RECONNECT_MS } from "../activity";
import { AnalyticsPanel } from "../AnalyticsPanel";
import { analyticsStore, setAnalytics } from "../analyticsStore";

/** The browser socket, driven by the test: frames pushed from the server, a drop. */
class FakeSocket {
  static all: FakeSocket[] = [];
  closed = false;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
  close() {
    this.closed = true;
  }
  push(frame: unknown) {
    act(() => this.onmessage?.({ data: JSON.stringify(frame) }));
  }
}

const counts = (steps: number): FlowAnalytics => ({
  flow_sid: "FW1", since: "", until: null, step_count: steps, dropoffs: [], entries: [], errors: [],
  transitions: [{ from: "Trigger", event: "incomingMessage", to: "reply", count: steps }],
});
const step = { type: "step", flow_sid: "FW1", execution_sid: "FN1", name: "incomingMessage", from: "Trigger", to: "reply" };
const elapse = (ms: number) => act(async () => { await vi.advanceTimersByTimeAsync(ms); });

describe("analytics updated live while traffic runs", () => {
  let view: Mounted;
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
    vi.stubGlobal("WebSocket", FakeSocket);
  });
  afterEach(() => {
    view?.unmount();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it("opens the flow's monitor socket itself and refetches the counts at most every 2 s while steps arrive", async () => {
    let steps = 0;
    const read = vi.spyOn(simApi, "analytics").mockImplementation(async () => counts((steps += 1)));
    view = mount(<ReactFlowProvider><AnalyticsPanel flowSid="FW1" /></ReactFlowProvider>);
    expect(FakeSocket.all).toEqual([]); // nothing opened while analytics is off
    act(() => setAnalytics({ on: true }));
    await elapse(0);
    expect(read).toHaveBeenCalledTimes(1);
    const ws = FakeSocket.all[0];
    expect(ws.url).toBe(`ws://${location.host}/ws/flows/FW1/monitor`);

    // A burst of traffic: twenty steps within a second bring one read, two seconds after the previous one.
    for (let i = 0; i < 20; i++) {
      ws.push(step);
      await elapse(50);
    }
    expect(read).toHaveBeenCalledTimes(1);
    await elapse(1000);
    expect(read).toHaveBeenCalledTimes(2);
    expect(analyticsStore.getState().stepCount).toBe(2);

    // Traffic that keeps going: one read per 2 s, not one per step, and no extra periodic read.
    for (let i = 0; i < 60; i++) {
      ws.push(step);
      await elapse(100);
    }
    expect(read.mock.calls.length - 2).toBeGreaterThanOrEqual(2);
    expect(read.mock.calls.length - 2).toBeLessThanOrEqual(3);
    // Frames other than steps are not activity.
    const before = read.mock.calls.length;
    await elapse(2500);
    const settled = read.mock.calls.length;
    ws.push({ type: "monitor.ready", flow_sid: "FW1" });
    ws.push({ type: "pong" });
    await elapse(2100);
    expect(settled - before).toBeLessThanOrEqual(1);
    expect(read.mock.calls.length).toBe(settled);
  });

  it("opens the socket again after a drop, and closes it when analytics is turned off", async () => {
    vi.spyOn(simApi, "analytics").mockResolvedValue(counts(1));
    view = mount(<ReactFlowProvider><AnalyticsPanel flowSid="FW1" /></ReactFlowProvider>);
    act(() => setAnalytics({ on: true }));
    await elapse(0);
    act(() => FakeSocket.all[0].onclose?.());
    await elapse(RECONNECT_MS);
    expect(FakeSocket.all).toHaveLength(2);
    act(() => setAnalytics({ on: false }));
    expect(FakeSocket.all[1].closed).toBe(true);
    await elapse(RECONNECT_MS * 2);
    expect(FakeSocket.all).toHaveLength(2);
  });
});
