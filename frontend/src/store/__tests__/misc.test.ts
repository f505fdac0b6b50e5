import { describe, expect, it } from "vitest";
import { completionQuery, liquidPaths } from "../../inspector/liquidPaths";
import type { CatalogueEntry, FlowDefinition } from "../../types";
import { diffDefinitions, diffView } from "../diff";
import { blankDefinition, parseDefinition, replaceWidgetRefs, uniqueName } from "../ops";

const def = (): FlowDefinition => ({
  ...blankDefinition(),
  states: [
    ...blankDefinition().states,
    { name: "ask", type: "send-and-wait-for-reply", transitions: [], properties: { offset: { x: 0, y: 100 }, body: "Hi" } },
    { name: "vars", type: "set-variables", transitions: [], properties: { offset: { x: 0, y: 200 }, variables: [{ key: "lang", value: "en" }] } },
  ],
});

describe("liquid completion", () => {
  const catalogue = {
    "send-and-wait-for-reply": { outputs: ["inbound.Body", "sid"] } as unknown as CatalogueEntry,
  };
  it("offers widgets.NAME.output, flow.variables from Set Variables, flow.* and trigger.*", () => {
    const paths = liquidPaths(def(), catalogue);
    expect(paths).toContain("widgets.ask.inbound.Body");
    expect(paths).toContain("flow.variables.lang");
    expect(paths).toContain("trigger.message.Body");
    expect(paths).toContain("flow.channel.address");
    expect(paths.some((p) => p.startsWith("widgets.Trigger"))).toBe(false);
  });
  it("finds the partial path typed after {{", () => {
    expect(completionQuery("Hello {{widgets.as", 18)).toEqual({ start: 8, query: "widgets.as" });
    expect(completionQuery("Hello {{ flow.", 14)).toEqual({ start: 9, query: "flow." });
    expect(completionQuery("Hello {{x}} there", 17)).toBeNull();
  });
});

describe("ops helpers", () => {
  it("replaces dotted and bracketed widget references only", () => {
    expect(replaceWidgetRefs('{{widgets.a.x}} {{widgets["a"].y}} {{widgets.ab.z}} a', "a", "b")).toBe(
      '{{widgets.b.x}} {{widgets["b"].y}} {{widgets.ab.z}} a',
    );
  });
  it("makes unique names", () => {
    expect(uniqueName("send_1", new Set(["send_1", "send_2"]))).toBe("send_3");
    expect(uniqueName("x", new Set())).toBe("x");
  });
  it("parses a definition or a v2 Flow resource with a definition", () => {
    expect(parseDefinition(JSON.stringify(blankDefinition())).states).toHaveLength(1);
    expect(parseDefinition(JSON.stringify({ sid: "FW1", definition: blankDefinition() })).initial_state).toBe("Trigger");
    expect(() => parseDefinition("[]")).toThrow();
    expect(() => parseDefinition('{"a": 1}')).toThrow(/states/);
  });
});

describe("revision diff view", () => {
  it("marks added, removed, changed and moved-only widgets and keeps removed ones as ghosts", () => {
    const a = def();
    const b: FlowDefinition = {
      ...a,
      states: [
        a.states[0],
        { ...a.states[1], properties: { ...a.states[1].properties, body: "Hello" } },
        { name: "new", type: "send-message", transitions: [], properties: { offset: { x: 5, y: 5 } } },
      ],
    };
    b.states[0] = { ...a.states[0], properties: { offset: { x: 50, y: 0 } } };
    const d = diffDefinitions(a, b, 1, 2);
    expect(d.logic.added).toEqual(["new"]);
    expect(d.logic.removed).toEqual(["vars"]);
    expect(d.logic.changed.map((c) => c.name)).toEqual(["ask"]);
    expect(d.layout.moved.map((m) => m.name)).toEqual(["Trigger"]);
    const view = diffView(a, b, d);
    expect(view.marks).toEqual({ Trigger: "moved", ask: "changed", new: "added", vars: "removed" });
    expect(view.def.states.map((s) => s.name)).toEqual(["Trigger", "ask", "new", "vars"]);
  });
});
