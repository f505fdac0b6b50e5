// The live monitor's connection: the flow's monitor socket, polled executions while it is down,
// the socket opened again after a drop and the executions re-read once it is back.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { simApi } from "../../api/client";
import { mount, type Mounted } from "../../testing/render";
import { liveStore } from "../liveStore";
import { useMonitor } from "../monitor";

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
  drop(code = 1006) {
    act(() => this.onclose?.({ code }));
  }
}

function Monitor() {
  useMonitor("FW1", true);
  return null;
}

const elapse = (ms: number) => act(async () => { await vi.advanceTimersByTimeAsync(ms); });
const connection = () => liveStore.getState().connection;

describe("the live monitor's socket", () => {
  let view: Mounted | null = null;
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
    vi.stubGlobal("WebSocket", FakeSocket);
  });
  afterEach(() => {
    view?.unmount();
    view = null;
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    vi.useRealTimers();
  });

  it("polls while the socket is down, opens it again and re-reads the executions once it is back", async () => {
    const read = vi.spyOn(simApi, "executions").mockResolvedValue([]);
    view = mount(<Monitor />);
    await elapse(0);
    expect(read).toHaveBeenCalledTimes(1);
    expect(FakeSocket.all.map((s) => s.url)).toEqual([`ws://${location.host}/ws/flows/FW1/monitor`]);
    FakeSocket.all[0].open();
    expect(connection()).toBe("live");

    FakeSocket.all[0].drop();
    expect(connection()).toBe("polling");
    await elapse(1500);
    expect(read).toHaveBeenCalledTimes(2); // the polling fallback

    await elapse(1000); // the first retry's longest wait (1 s, jittered)
    expect(FakeSocket.all).toHaveLength(2);
    const polled = read.mock.calls.length;
    FakeSocket.all[1].open();
    await elapse(0);
    expect(connection()).toBe("live");
    expect(read).toHaveBeenCalledTimes(polled + 1); // what happened while it was down
    await elapse(5000);
    expect(read).toHaveBeenCalledTimes(polled + 1); // no more polling

    view!.unmount();
    view = null;
    expect(FakeSocket.all[1].closed).toBe(true);
    expect(connection()).toBe("off");
    await elapse(60_000);
    expect(FakeSocket.all).toHaveLength(2);
  });

  it("polls when no socket opens in time", async () => {
    const read = vi.spyOn(simApi, "executions").mockResolvedValue([]);
    view = mount(<Monitor />);
    await elapse(2999);
    expect(connection()).toBe("connecting");
    await elapse(1);
    expect(connection()).toBe("polling");
    await elapse(1500);
    expect(read).toHaveBeenCalledTimes(2);
  });
});
