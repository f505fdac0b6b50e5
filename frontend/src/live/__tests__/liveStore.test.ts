import { describe, expect, it } from "vitest";
import { applyStep, createLiveStore, deriveMarks, edgeKey, type StepEvent } from "../liveStore";
import { monitorUrl } from "../monitor";
import { describe as describeEvent, toInputs } from "../../simulator/CallTab";

const ev = (n: number, from: string, to: string, status: "active" | "ended" = "active", ex = "FN1"): StepEvent => ({
  type: "step", execution_sid: ex, execution_status: status, step_sid: `FT${n}`, name: "next", from, to,
});

describe("live store", () => {
  it("puts an execution on the widget its last step led to and marks that transition active", () => {
    const store = createLiveStore();
    store.getState().actions.step(ev(1, "Trigger", "ask"));
    const s = store.getState();
    expect(s.executions.FN1.current).toBe("ask");
    expect(s.nodes).toEqual({ ask: "active" });
    expect(s.edges).toEqual({ [edgeKey("Trigger", "ask")]: "active" });
  });

  it("moves on with each event and ignores a redelivered step", () => {
    const store = createLiveStore();
    const { actions } = store.getState();
    actions.step(ev(1, "Trigger", "ask"));
    actions.step(ev(2, "ask", "thanks"));
    actions.step(ev(2, "ask", "thanks"));
    const s = store.getState();
    expect(s.executions.FN1.steps).toHaveLength(2);
    expect(s.nodes).toEqual({ thanks: "active" });
    expect(s.edges).toEqual({ [edgeKey("ask", "thanks")]: "active" });
  });

  it("clears the position of an ended execution but keeps the transition that ended it", () => {
    const store = createLiveStore();
    const { actions } = store.getState();
    actions.step(ev(1, "Trigger", "ask"));
    actions.step(ev(2, "ask", "Ended", "ended"));
    const s = store.getState();
    expect(s.executions.FN1.status).toBe("ended");
    expect(s.executions.FN1.current).toBeNull();
    expect(s.nodes).toEqual({});
    expect(s.edges).toEqual({ [edgeKey("ask", "Ended")]: "active" });
  });

  it("takes an execution off the canvas when its end comes without a step (REST Status=ended)", () => {
    const store = createLiveStore();
    const { actions } = store.getState();
    actions.step(ev(1, "Trigger", "ask", "active", "FN1"));
    actions.step(ev(2, "Trigger", "menu", "active", "FN2"));
    actions.ended({ type: "execution", event: "ended", execution_sid: "FN1", status: "ended" });
    const s = store.getState();
    expect(s.executions.FN1.status).toBe("ended");
    expect(s.executions.FN1.current).toBeNull();
    expect(s.nodes).toEqual({ menu: "active" });
    // An execution this page never drew is not added by its end alone.
    actions.ended({ type: "execution", event: "ended", execution_sid: "FN7", status: "ended" });
    expect(store.getState().executions.FN7).toBeUndefined();
  });

  it("shows every active execution's position when none is focused", () => {
    const store = createLiveStore();
    const { actions } = store.getState();
    actions.step(ev(1, "Trigger", "ask", "active", "FN1"));
    actions.step(ev(2, "Trigger", "menu", "active", "FN2"));
    expect(store.getState().nodes).toEqual({ ask: "active", menu: "active" });
  });

  it("draws the focused execution's whole path and replays it step by step", () => {
    const store = createLiveStore();
    const { actions } = store.getState();
    actions.upsert({
      sid: "FN9", status: "ended", current_widget: null,
      steps: [
        { sid: "a", name: "incomingMessage", from: "Trigger", to: "ask" },
        { sid: "b", name: "incomingMessage", from: "ask", to: "split" },
        { sid: "c", name: "match", from: "split", to: "Ended" },
      ],
    });
    actions.step(ev(1, "Trigger", "other", "active", "FN1"));
    actions.setFocus("FN9");
    let s = store.getState();
    expect(s.nodes).toEqual({ Trigger: "visited", ask: "visited", split: "visited" });
    expect(s.edges[edgeKey("split", "Ended")]).toBe("active");
    expect(s.edges[edgeKey("Trigger", "ask")]).toBe("visited");
    expect(s.nodes.other).toBeUndefined();
    actions.setReplay(1);
    s = store.getState();
    expect(s.nodes).toEqual({ Trigger: "visited", ask: "active" });
    expect(s.edges).toEqual({ [edgeKey("Trigger", "ask")]: "active" });
    actions.setReplay(null);
    actions.setFocus(null);
    expect(store.getState().nodes).toEqual({ other: "active" });
  });

  it("keeps the marks' identity when an event changes nothing drawn", () => {
    const store = createLiveStore();
    const { actions } = store.getState();
    actions.step(ev(1, "Trigger", "ask"));
    const nodes = store.getState().nodes;
    actions.setConnection("live");
    actions.upsert({ sid: "FN1", status: "active", current_widget: "ask" });
    expect(store.getState().nodes).toBe(nodes);
  });

  it("updates from polled summaries (no socket) and marks ended executions", () => {
    const store = createLiveStore();
    const { actions } = store.getState();
    actions.setList([
      { sid: "FN2", status: "active", current_widget: "menu" },
      { sid: "FN1", status: "active", current_widget: "ask" },
    ]);
    expect(store.getState().nodes).toEqual({ menu: "active", ask: "active" });
    actions.upsert({ sid: "FN1", status: "ended", current_widget: null });
    expect(store.getState().nodes).toEqual({ menu: "active" });
  });

  it("applyStep is pure", () => {
    const a = applyStep(undefined, ev(1, "Trigger", "ask"), 1);
    const b = applyStep(a, ev(2, "ask", "x"), 2);
    expect(a.steps).toHaveLength(1);
    expect(b.steps).toHaveLength(2);
  });

  it("handles a 2,000-widget path quickly", () => {
    const execs = { FN1: { sid: "FN1", status: "active" as const, current: "w1999", steps: [] as ReturnType<typeof applyStep>["steps"], seq: 1 } };
    for (let i = 0; i < 2000; i++) execs.FN1.steps.push({ sid: `s${i}`, name: "next", from: `w${i - 1}`, to: `w${i}` });
    const t = performance.now();
    const marks = deriveMarks(execs, "FN1", null);
    expect(performance.now() - t).toBeLessThan(100);
    expect(marks.nodes.w1999).toBe("active");
  });
});

describe("monitor and call helpers", () => {
  it("builds the socket URL from the page's origin", () => {
    expect(monitorUrl("FW1", { protocol: "https:", host: "studio.example" })).toBe("wss://studio.example/ws/flows/FW1/monitor");
    expect(monitorUrl("FW1", { protocol: "http:", host: "127.0.0.1:8000" })).toBe("ws://127.0.0.1:8000/ws/flows/FW1/monitor");
  });

  it("turns the scripted caller into CallScript inputs", () => {
    expect(
      toInputs([
        { kind: "digits", value: "12" }, { kind: "speech", value: "sales" }, { kind: "silence", value: "" }, { kind: "hangup", value: "" },
      ]),
    ).toEqual([{ digits: "12" }, { speech: "sales" }, { silence: true }, { hangup: true }]);
  });

  it("describes transcript events as text and hides raw requests", () => {
    expect(describeEvent({ type: "say", text: "<b>Hi</b>" })).toBe("Say: <b>Hi</b>");
    expect(describeEvent({ type: "caller", input: "digits", digits: "3" })).toBe("Caller pressed 3");
    expect(describeEvent({ type: "request", url: "x" })).toBeNull();
  });
});
