// The inspector subscribes only to what it draws: these tests count renders to show that typing
// in one field re-renders that field alone, and that changes elsewhere re-render nothing of it.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { editorStore } from "../../store/flowStore";
import * as ops from "../../store/ops";
import { mount, profiled, typeInto, type Mounted } from "../../testing/render";
import type { CatalogueEntry, FlowDefinition } from "../../types";
import { Inspector } from "../Inspector";

// Leaf editors report each render, by test id; they stay plain inputs (CodeMirror is not needed).
const renders = vi.hoisted(() => new Map<string, number>());
const count = (id: string) => renders.set(id, (renders.get(id) ?? 0) + 1);
vi.mock("../LiquidField", () => ({
  LiquidField: (p: { id: string; testId?: string; value: string; onChange(v: string): void }) => {
    count(p.testId ?? p.id);
    return <input id={p.id} data-testid={p.testId} value={p.value} onChange={(e) => p.onChange(e.target.value)} />;
  },
}));
vi.mock("../../components/code/CodeEditor", () => ({
  CodeEditor: (p: { testId?: string; value: string }) => {
    count(p.testId ?? "code");
    return <textarea data-testid={p.testId} value={p.value} readOnly />;
  },
}));

const liquid = (name: string) => ({ name, type: "string", required: false, liquid: true });
const SEND_MESSAGE: CatalogueEntry = {
  type: "send-message",
  family: "Messaging",
  label: "Send Message",
  description: "",
  legacy: false,
  channel: "any",
  properties: [liquid("body"), liquid("to"), liquid("from")],
  events: ["sent", "failed"],
  defaults: {},
  outputs: [],
};

function flow(): FlowDefinition {
  const def = ops.blankDefinition();
  const widget = (name: string, y: number) => ({
    name,
    type: "send-message",
    transitions: [{ event: "sent" }, { event: "failed" }],
    properties: { offset: { x: 0, y }, body: `Hi from ${name}`, to: "{{contact.channel.address}}", from: "+15550001" },
  });
  return { ...def, states: [...def.states, widget("greet", 200), widget("bye", 400)] };
}

let mounted: Mounted | null = null;
const actions = () => editorStore.getState().actions;
const field = (testId: string) => mounted!.container.querySelector<HTMLInputElement>(`[data-testid="${testId}"]`)!;

beforeEach(() => {
  actions().setCatalogue([SEND_MESSAGE]);
  actions().load(null, flow());
  actions().select(["greet"]);
  renders.clear();
});

afterEach(() => {
  mounted?.unmount();
  mounted = null;
});

describe("inspector rendering", () => {
  it("re-renders only the field being typed in", () => {
    mounted = mount(<Inspector />);
    expect(renders.get("prop-body")).toBe(1);
    renders.clear();

    typeInto(field("prop-body"), "Hello there");

    expect(editorStore.getState().def.states[1].properties.body).toBe("Hello there");
    expect(field("prop-body").value).toBe("Hello there");
    expect(renders.get("prop-body")).toBe(1);
    expect(renders.get("prop-to")).toBeUndefined();
    expect(renders.get("prop-from")).toBeUndefined();
    expect(renders.get("prop-other-properties")).toBeUndefined();
  });

  it("re-renders only the name field while a new name is typed, and renames on Enter", () => {
    mounted = mount(<Inspector />);
    renders.clear();
    typeInto(field("widget-name-input"), "greeting");
    expect(field("widget-name-input").value).toBe("greeting");
    expect([...renders.keys()]).toEqual([]);
    expect(editorStore.getState().def.states[1].name).toBe("greet");

    act(() => void field("widget-name-input").dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true })));
    expect(editorStore.getState().def.states[1].name).toBe("greeting");
    expect(field("widget-name-input").value).toBe("greeting");

    typeInto(field("widget-name-input"), "bye");
    act(() => void field("widget-name-input").dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", bubbles: true })));
    expect(mounted.container.querySelector('[role="alert"]')?.textContent).toMatch(/bye/);
    act(() => actions().select(["bye"]));
    expect(field("widget-name-input").value).toBe("bye");
    expect(mounted.container.querySelector('[role="alert"]')).toBeNull();
  });

  it("does not re-render for edits of other widgets, validation results, measurements or search", () => {
    const probe = profiled(<Inspector />);
    mounted = mount(probe.ui);
    probe.reset();
    renders.clear();

    act(() => actions().setProperty("bye", "body", "See you"));
    act(() => actions().setProblems([{ message: "bad", property_path: "#/states/2/properties/to" }], [], editorStore.getState().def));
    act(() => actions().setMeasured(new Map([["greet", { width: 220, height: 90 }]])));
    act(() => actions().setSearch("bye"));
    act(() => actions().move(new Map([["bye", { x: 40, y: 420 }]])));

    expect(probe.commits()).toBe(0);
    expect(renders.size).toBe(0);
  });

  it("follows the selection and the selected widget's own changes", () => {
    const probe = profiled(<Inspector />);
    mounted = mount(probe.ui);
    probe.reset();

    act(() => actions().setProperty("greet", "to", "+15559999"));
    expect(probe.commits()).toBe(1);
    expect(field("prop-to").value).toBe("+15559999");

    act(() => actions().select(["bye"]));
    expect(field("prop-body").value).toBe("Hi from bye");
    act(() => actions().select(["greet", "bye"]));
    expect(mounted.container.textContent).toContain("2 widgets selected.");
  });
});
