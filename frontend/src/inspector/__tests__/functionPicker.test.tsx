// The Run Function inspector picks service → environment → function from the account's catalog
// and fills service_sid, environment_sid, function_sid and url; URL fields pick an asset's URL.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { editorStore } from "../../store/flowStore";
import * as ops from "../../store/ops";
import { mount, type Mounted } from "../../testing/render";
import type { CatalogueEntry, FlowDefinition } from "../../types";
import { Inspector } from "../Inspector";
import { assetOptions, chooseFunction, loadCatalog, takesAsset, type CatalogService } from "../functionCatalog";

vi.mock("../../components/code/CodeEditor", () => ({
  CodeEditor: (p: { testId?: string; value: string }) => <textarea data-testid={p.testId} value={p.value} readOnly />,
}));

const base = "http://localhost:8000/fn";
const CATALOG: CatalogService[] = [
  {
    sid: "ZS1", unique_name: "ivr", friendly_name: "IVR",
    environments: [
      { sid: "ZEstage", unique_name: "staging", domain_name: "x/fn/ivr-1-stage", build_sid: null, functions: [], assets: [] },
      {
        sid: "ZEprod", unique_name: "production", domain_name: "x/fn/ivr-1", build_sid: "ZB1",
        functions: [
          { sid: "ZHhello", path: "/hello", visibility: "public", url: `${base}/ivr-1/hello` },
          { sid: "ZHadmin", path: "/admin", visibility: "protected", url: `${base}/ivr-1/admin` },
        ],
        assets: [{ sid: "ZHhold", path: "/hold.mp3", visibility: "public", url: `${base}/ivr-1/hold.mp3` }],
      },
    ],
  },
];

const str = (name: string) => ({ name, type: "string", required: false, liquid: true });
const entry = (type: string, properties: CatalogueEntry["properties"]): CatalogueEntry => ({
  type, family: type === "run-function" ? "Tools & Execute Code" : "Voice", label: type, description: "",
  legacy: false, channel: "any", properties, events: [], defaults: {}, outputs: [],
});

function flow(): FlowDefinition {
  const def = ops.blankDefinition();
  return {
    ...def,
    states: [
      ...def.states,
      { name: "fn", type: "run-function", transitions: [], properties: { offset: { x: 0, y: 200 }, url: "" } },
      { name: "hello", type: "say-play", transitions: [], properties: { offset: { x: 0, y: 400 }, say: "hi" } },
    ],
  };
}

let mounted: Mounted | null = null;
const actions = () => editorStore.getState().actions;
const el = <T extends HTMLElement>(id: string) => mounted!.container.querySelector<T>(`[data-testid="${id}"]`);
const props = (name: string) => editorStore.getState().def.states.find((s) => s.name === name)!.properties;
const choose = (id: string, value: string) =>
  act(() => {
    const select = el<HTMLSelectElement>(id)!;
    select.value = value;
    select.dispatchEvent(new Event("change", { bubbles: true }));
  });
const settle = () => act(async () => void (await loadCatalog()));

beforeEach(async () => {
  vi.stubGlobal("fetch", vi.fn(async () => new Response(JSON.stringify({ services: CATALOG }))));
  await loadCatalog(true);
  actions().setCatalogue([
    entry("run-function", ["service_sid", "environment_sid", "function_sid", "url"].map(str)),
    entry("say-play", [str("say"), str("play")]),
  ]);
  actions().load(null, flow());
});

afterEach(() => {
  mounted?.unmount();
  mounted = null;
  vi.unstubAllGlobals();
});

describe("the catalog's helpers", () => {
  it("turns a picked function into the widget's four properties", () => {
    expect(chooseFunction(CATALOG, "ZS1", "ZEprod", "ZHadmin")).toEqual({
      service_sid: "ZS1", environment_sid: "ZEprod", function_sid: "ZHadmin", url: `${base}/ivr-1/admin`,
    });
    expect(chooseFunction(CATALOG, "ZS1", "ZEstage", "ZHadmin")).toBeNull();
  });

  it("offers assets to audio and URL fields only", () => {
    expect(assetOptions(CATALOG)).toEqual([{ label: "ivr · production · /hold.mp3", url: `${base}/ivr-1/hold.mp3` }]);
    expect(["play", "wait_url", "waitUrl", "url"].every(takesAsset)).toBe(true);
    expect(["say", "body", "curl_opts"].some(takesAsset)).toBe(false);
  });
});

describe("the Run Function inspector", () => {
  it("picks service, then environment (the deployed one first), then function, and fills the URL", async () => {
    actions().select(["fn"]);
    mounted = mount(<Inspector />);
    await settle();
    expect(el("pick-environment")).toBeNull();

    choose("pick-service", "ZS1");
    expect(props("fn")).toMatchObject({ service_sid: "ZS1", environment_sid: "ZEprod" });
    expect(el<HTMLSelectElement>("pick-environment")!.value).toBe("ZEprod");
    const offered = [...el<HTMLSelectElement>("pick-function")!.options].map((o) => o.textContent?.trim());
    expect(offered).toEqual(["(choose a function)", "/hello", "/admin (protected)"]);

    choose("pick-function", "ZHhello");
    expect(props("fn")).toMatchObject({
      service_sid: "ZS1", environment_sid: "ZEprod", function_sid: "ZHhello", url: `${base}/ivr-1/hello`,
    });
    expect(el<HTMLInputElement>("prop-url")!.value).toBe(`${base}/ivr-1/hello`);

    choose("pick-environment", "ZEstage");
    expect(props("fn").function_sid).toBeUndefined();
    expect(el<HTMLSelectElement>("pick-function")!.options[0].textContent).toBe("(nothing deployed here)");
  });

  it("lets Say/Play's audio URL pick an asset", async () => {
    actions().select(["hello"]);
    mounted = mount(<Inspector />);
    await settle();
    expect(el("pick-asset-say")).toBeNull();
    choose("pick-asset-play", `${base}/ivr-1/hold.mp3`);
    expect(props("hello").play).toBe(`${base}/ivr-1/hold.mp3`);
  });
});
