import { describe, expect, it } from "vitest";
import { createEditorStore } from "../../../store/flowStore";
import * as ops from "../../../store/ops";
import type { CatalogueEntry, FlowDetail, State } from "../../../types";
import * as cond from "../conditions";
import { friendlyName, operatorsOf } from "../operators";

// Shaped as the server's catalogue serves Split Based On (studio/widgets/split_based_on.py);
// a few operators are enough here, the list itself is the server's.
const SPLIT_ENTRY = {
  type: "split-based-on",
  condition_schema: {
    type: "object",
    properties: [{ name: "type", type: "enum", required: true, liquid: false, enum: ["equal_to", "contains", "is_blank", "is_not_blank"] }],
    valueless_operators: { is_blank: "Is Blank", is_not_blank: "Is Not Blank" },
  },
} as unknown as CatalogueEntry;
const OPS = operatorsOf(SPLIT_ENTRY);

const split = (): State => ({
  name: "check",
  type: "split-based-on",
  properties: { offset: { x: 0, y: 0 }, input: "{{widgets.ask.inbound.Body}}" },
  transitions: [
    { event: "noMatch" },
    {
      event: "match",
      next: "yes",
      conditions: [{ friendly_name: "Yes", arguments: ["{{widgets.ask.inbound.Body}}"], type: "equal_to", value: "yes" }],
    },
  ],
});

describe("split operators", () => {
  it("reads the operator menu and the valueless operators from the catalogue entry", () => {
    expect(OPS.all).toEqual(["equal_to", "contains", "is_blank", "is_not_blank"]);
    expect(OPS.valueless).toEqual({ is_blank: "Is Blank", is_not_blank: "Is Not Blank" });
  });

  it("offers nothing before the catalogue has loaded", () => {
    expect(operatorsOf(undefined)).toEqual({ all: [], valueless: {} });
  });

  it("names conditions as Console does", () => {
    expect(friendlyName(OPS, "contains", "yes,y")).toBe("If value contains yes,y");
    expect(friendlyName(OPS, "is_blank", "")).toBe("Is Blank");
  });
});

describe("split conditions", () => {
  it("adds a second (AND) condition to an existing branch, keeping its wiring", () => {
    const s = cond.addCondition(split(), 1, OPS);
    expect(s.transitions[1].next).toBe("yes");
    expect(s.transitions[1].conditions).toHaveLength(2);
    expect(s.transitions[1].conditions![1]).toEqual({
      friendly_name: "If value equal_to ",
      arguments: ["{{widgets.ask.inbound.Body}}"],
      type: "equal_to",
      value: "",
    });
    // Pure: the input is untouched.
    expect(split().transitions[1].conditions).toHaveLength(1);
  });

  it("keeps a custom name when type/value change and regenerates a generated one", () => {
    let s = cond.setCondition(split(), 1, 0, { value: "y" }, OPS);
    expect(s.transitions[1].conditions![0]).toMatchObject({ friendly_name: "Yes", value: "y" });
    s = cond.addCondition(s, 1, OPS);
    s = cond.setCondition(s, 1, 1, { type: "contains" }, OPS);
    s = cond.setCondition(s, 1, 1, { value: "es" }, OPS);
    expect(s.transitions[1].conditions![1].friendly_name).toBe("If value contains es");
    s = cond.setCondition(s, 1, 1, { friendly_name: "Has es" }, OPS);
    s = cond.setCondition(s, 1, 1, { value: "ye" }, OPS);
    expect(s.transitions[1].conditions![1].friendly_name).toBe("Has es");
  });

  it("gives blank tests Studio's fixed value and clears it when switching back", () => {
    let s = cond.setCondition(split(), 1, 0, { type: "is_blank" }, OPS);
    expect(s.transitions[1].conditions![0]).toMatchObject({ type: "is_blank", value: "Is Blank", friendly_name: "Yes" });
    s = cond.setCondition(s, 1, 0, { type: "equal_to" }, OPS);
    expect(s.transitions[1].conditions![0].value).toBe("");
    const fresh = cond.addBranch(split(), OPS);
    const auto = cond.setCondition(fresh, 2, 0, { type: "is_not_blank" }, OPS);
    expect(auto.transitions[2].conditions![0]).toMatchObject({ value: "Is Not Blank", friendly_name: "Is Not Blank" });
  });

  it("removes one condition, and the branch with its last one", () => {
    let s = cond.addCondition(split(), 1, OPS);
    s = cond.removeCondition(s, 1, 0);
    expect(s.transitions[1].conditions).toHaveLength(1);
    expect(s.transitions[1].conditions![0].value).toBe("");
    s = cond.removeCondition(s, 1, 0);
    expect(s.transitions.map((t) => t.event)).toEqual(["noMatch"]);
  });

  it("moves branches (tested in order) and keeps every argument equal to the input", () => {
    let s = cond.addBranch(split(), OPS);
    s = cond.setCondition(s, 2, 0, { value: "no" }, OPS);
    s = cond.moveBranch(s, 2, -1);
    expect(s.transitions.map((t) => t.conditions?.[0].value ?? t.event)).toEqual(["noMatch", "no", "yes"]);
    expect(cond.moveBranch(s, 1, -1)).toBe(s);
    s = cond.setInput(s, "{{flow.data.x}}");
    expect(s.properties.input).toBe("{{flow.data.x}}");
    expect(s.transitions.flatMap((t) => t.conditions ?? []).map((c) => c.arguments)).toEqual([
      ["{{flow.data.x}}"],
      ["{{flow.data.x}}"],
    ]);
    expect("input" in cond.setInput(s, undefined).properties).toBe(false);
  });
});

describe("editor store additions", () => {
  it("unsets a property (the key disappears) and undoes it", () => {
    const store = createEditorStore();
    const def = ops.blankDefinition();
    def.states.push({ name: "say", type: "say-play", transitions: [], properties: { offset: { x: 0, y: 0 }, language: "en-US", say: "Hi" } });
    store.getState().actions.load(null, def);
    store.getState().actions.setProperty("say", "language", undefined);
    expect(store.getState().def.states[1].properties).toEqual({ offset: { x: 0, y: 0 }, say: "Hi" });
    store.getState().actions.undo();
    expect(store.getState().def.states[1].properties.language).toBe("en-US");
  });

  it("coalesces typing in the flow description into one undo step", () => {
    const store = createEditorStore();
    store.getState().actions.load(null, ops.blankDefinition());
    for (const text of ["O", "Or", "Ord"]) store.getState().actions.apply((d) => ({ ...d, description: text }), "flow:description");
    expect(store.getState().past).toHaveLength(1);
    expect(store.getState().def.description).toBe("Ord");
  });

  it("takes new test users without touching the definition or its history", () => {
    const store = createEditorStore();
    const flow = { sid: "FW1", friendly_name: "F", revision: 2, test_users: [] } as unknown as FlowDetail;
    store.getState().actions.load(flow, ops.blankDefinition());
    store.getState().actions.apply((d) => ({ ...d, description: "edited" }));
    const def = store.getState().def;
    store.getState().actions.flowUpdated({ ...flow, revision: 2, test_users: ["+15550001"] });
    expect(store.getState().flow?.test_users).toEqual(["+15550001"]);
    expect(store.getState().def).toBe(def);
    expect(store.getState().past).toHaveLength(1);
    store.getState().actions.flowUpdated({ ...flow, sid: "FW2", test_users: ["x"] });
    expect(store.getState().flow?.test_users).toEqual(["+15550001"]);
  });
});
