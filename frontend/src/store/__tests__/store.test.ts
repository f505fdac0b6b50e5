import { describe, expect, it } from "vitest";
import type { CatalogueEntry, FlowDefinition } from "../../types";
import { Deriver } from "../derive";
import { createEditorStore, problemsByName } from "../flowStore";
import * as ops from "../ops";

const entry = (type: string, events: string[], extra: Partial<CatalogueEntry> = {}): CatalogueEntry => ({
  type,
  family: "Messaging",
  label: type,
  description: "",
  legacy: false,
  channel: "any",
  properties: [],
  events,
  defaults: { offset: { x: 0, y: 0 } },
  outputs: [],
  ...extra,
});

const CATALOGUE = [
  entry("trigger", ["incomingMessage", "incomingCall"], { name_prefix: "Trigger" }),
  entry("send-message", ["sent", "failed"], { name_prefix: "send_message", defaults: { body: "hi", offset: { x: 0, y: 0 } } }),
  entry("split-based-on", ["noMatch", "match"], { name_prefix: "split", repeatable_events: ["match"] }),
];

function flow(): FlowDefinition {
  return {
    description: "t",
    initial_state: "Trigger",
    flags: { allow_concurrent_calls: true },
    states: [
      { name: "Trigger", type: "trigger", transitions: [{ event: "incomingMessage", next: "greet" }, { event: "incomingCall" }], properties: { offset: { x: 0, y: 0 } } },
      { name: "greet", type: "send-message", transitions: [{ event: "sent", next: "check" }, { event: "failed" }], properties: { offset: { x: 0, y: 200 }, body: "Hello" } },
      {
        name: "check",
        type: "split-based-on",
        transitions: [
          { event: "noMatch" },
          { event: "match", next: "greet", conditions: [{ friendly_name: "x", arguments: ["{{widgets.greet.status}}"], type: "equal_to", value: "sent" }] },
        ],
        properties: { offset: { x: 0, y: 400 }, input: "{{widgets.greet.status}}" },
      },
      { name: "bye", type: "send-message", transitions: [{ event: "sent" }, { event: "failed" }], properties: { offset: { x: 0, y: 600 }, body: "Bye {{widgets.greet.sid}} {{widgets.greeting.sid}}" } },
    ],
  };
}

function store() {
  const s = createEditorStore();
  s.getState().actions.setCatalogue(CATALOGUE);
  s.getState().actions.load(null, flow());
  return s;
}

describe("store actions", () => {
  it("adds a widget from the catalogue with a unique name, default properties and its events", () => {
    const s = store();
    const a = s.getState().actions.addWidget("send-message", { x: 10.4, y: 20 });
    const b = s.getState().actions.addWidget("send-message", { x: 10, y: 20 });
    expect(a).toBe("send_message_1");
    expect(b).toBe("send_message_2");
    const st = s.getState().def.states.find((x) => x.name === "send_message_1")!;
    expect(st.properties).toEqual({ body: "hi", offset: { x: 10, y: 20 } });
    expect(st.transitions).toEqual([{ event: "sent" }, { event: "failed" }]);
    expect(s.getState().selected).toEqual(new Set(["send_message_2"]));
  });

  it("renames a widget and every reference: next, widgets.OLD in properties and conditions", () => {
    const s = store();
    expect(s.getState().actions.rename("greet", "welcome")).toBeNull();
    const def = s.getState().def;
    expect(def.states.map((x) => x.name)).toEqual(["Trigger", "welcome", "check", "bye"]);
    expect(def.states[0].transitions[0].next).toBe("welcome");
    expect(def.states[2].transitions[1].next).toBe("welcome");
    expect(def.states[2].properties.input).toBe("{{widgets.welcome.status}}");
    expect(def.states[2].transitions[1].conditions![0].arguments).toEqual(["{{widgets.welcome.status}}"]);
    // a widget whose name merely starts with the old name is left alone
    expect(def.states[3].properties.body).toBe("Bye {{widgets.welcome.sid}} {{widgets.greeting.sid}}");
  });

  it("refuses invalid or duplicate names", () => {
    const s = store();
    expect(s.getState().actions.rename("greet", "check")).toMatch(/already used/);
    expect(s.getState().actions.rename("greet", "1abc")).toMatch(/starts with a letter/);
    expect(s.getState().actions.rename("greet", "has space")).not.toBeNull();
  });

  it("deletes widgets, disconnects transitions to them, and undo restores the edges", () => {
    const s = store();
    const before = s.getState().def;
    s.getState().actions.deleteWidgets(["greet"]);
    const after = s.getState().def;
    expect(after.states.map((x) => x.name)).toEqual(["Trigger", "check", "bye"]);
    expect(after.states[0].transitions[0]).toEqual({ event: "incomingMessage" });
    expect(after.states[1].transitions[1].next).toBeUndefined();
    expect(new Deriver().edges(after, {})).toHaveLength(0);
    s.getState().actions.undo();
    expect(s.getState().def).toBe(before);
    const edges = new Deriver().edges(s.getState().def, Object.fromEntries(CATALOGUE.map((e) => [e.type, e])));
    expect(edges.map((e) => `${e.source}:${e.sourceHandle}>${e.target}`).sort()).toEqual(
      ["Trigger:incomingMessage>greet", "check:match:1>greet", "greet:sent>check"].sort(),
    );
    s.getState().actions.redo();
    expect(s.getState().def).toBe(after);
  });

  it("never deletes the trigger", () => {
    const s = store();
    s.getState().actions.deleteWidgets(["Trigger"]);
    expect(s.getState().def.states).toHaveLength(4);
    expect(s.getState().past).toHaveLength(0);
  });

  it("pastes with de-duplicated names, internal references following the new names", () => {
    const s = store();
    s.getState().actions.select(["greet", "check", "Trigger"]);
    const payload = s.getState().actions.copy();
    expect(payload.states.map((x) => x.name)).toEqual(["greet", "check"]);
    const pasted = s.getState().actions.paste(JSON.parse(JSON.stringify(payload)));
    expect(pasted).toEqual(["greet_1", "check_1"]);
    const def = s.getState().def;
    const g = def.states.find((x) => x.name === "greet_1")!;
    const c = def.states.find((x) => x.name === "check_1")!;
    expect(g.transitions[0].next).toBe("check_1");
    expect(c.transitions[1].next).toBe("greet_1");
    expect(c.properties.input).toBe("{{widgets.greet_1.status}}");
    expect(g.properties.offset).toEqual({ x: 40, y: 240 });
    expect(s.getState().selected).toEqual(new Set(["greet_1", "check_1"]));
    // pasting into another flow drops references to widgets that are not there
    const other = ops.pasteStates(ops.blankDefinition(), [def.states[3], { ...def.states[1], transitions: [{ event: "sent", next: "nowhere" }] }]);
    expect(other.pasted).toEqual(["bye", "greet"]);
    expect(other.def.states[2].transitions[0].next).toBeUndefined();
  });

  it("moves without history until beginMove took one snapshot", () => {
    const s = store();
    s.getState().actions.beginMove();
    s.getState().actions.move(new Map([["greet", { x: 5, y: 5 }]]));
    s.getState().actions.move(new Map([["greet", { x: 50, y: 60 }]]));
    expect(s.getState().past).toHaveLength(1);
    s.getState().actions.undo();
    expect(s.getState().def.states[1].properties.offset).toEqual({ x: 0, y: 200 });
  });

  it("connects and disconnects by handle, including split match branches", () => {
    const s = store();
    s.getState().actions.connect("greet", "failed", "bye");
    expect(s.getState().def.states[1].transitions[1]).toEqual({ event: "failed", next: "bye" });
    s.getState().actions.connect("check", "match:1", "bye");
    expect(s.getState().def.states[2].transitions[1].next).toBe("bye");
    s.getState().actions.connect("check", "match:1", null);
    expect(s.getState().def.states[2].transitions[1].next).toBeUndefined();
  });

  it("maps #/states/N problems to widgets", () => {
    const s = store();
    s.getState().actions.setProblems([{ message: "bad", property_path: "#/states/2/properties/input" }], [], s.getState().def);
    expect(problemsByName(s.getState())).toEqual({ check: ["bad"] });
  });
});

describe("derived nodes and edges", () => {
  const catalogue = Object.fromEntries(CATALOGUE.map((e) => [e.type, e]));
  it("derives one node per widget with one handle per event (split: per match + noMatch)", () => {
    const d = new Deriver();
    const input = { def: flow(), catalogue, selected: new Set<string>(), measured: {}, problems: {}, marks: {} };
    const nodes = d.nodes(input);
    expect(nodes.map((n) => n.id)).toEqual(["Trigger", "greet", "check", "bye"]);
    expect(nodes[1].position).toEqual({ x: 0, y: 200 });
    expect(nodes[2].data.handles.map((h) => h.id)).toEqual(["noMatch", "match:1"]);
    expect(nodes[0].deletable).toBe(false);
    // unchanged widgets keep their node object (memoized rendering)
    const moved = ops.moveStates(input.def, new Map([["bye", { x: 1, y: 1 }]]));
    const again = d.nodes({ ...input, def: moved });
    expect(again[1]).toBe(nodes[1]);
    expect(again[3]).not.toBe(nodes[3]);
    expect(d.edges(flow(), catalogue)).toHaveLength(3);
  });
});

describe("undo granularity", () => {
  it("coalesces keystrokes in one field into one undo step", () => {
    const s = store();
    for (const text of ["H", "Ho", "How", "Howdy"]) s.getState().actions.setProperty("greet", "body", text);
    s.getState().actions.setProperty("bye", "body", "x");
    expect(s.getState().past).toHaveLength(2);
    s.getState().actions.undo();
    expect(s.getState().def.states[1].properties.body).toBe("Howdy");
    expect(s.getState().def.states[3].properties.body).toBe("Bye {{widgets.greet.sid}} {{widgets.greeting.sid}}");
    s.getState().actions.undo();
    expect(s.getState().def.states[1].properties.body).toBe("Hello");
  });
});
