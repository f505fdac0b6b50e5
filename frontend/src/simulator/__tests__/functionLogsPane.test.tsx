// The simulator's Function logs pane: it follows the environments the flow's Run Function widgets
// call (picked, or by a deployed function's URL) over their log sockets, and shows each new line
// (time, level, function path, message) as text while the flow runs.
import { act } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { loadCatalog, type CatalogService } from "../../inspector/functionCatalog";
import { mount, type Mounted } from "../../testing/render";
import type { FlowDefinition, State } from "../../types";
import { FunctionLogsPane } from "../FunctionLogsPane";
import { clock, followedEnvironments, sameFunctionUrl, type LogLine } from "../functionLogs";

/** A browser socket the test drives: frames pushed from the server, closes with a code. */
class FakeSocket {
  static all: FakeSocket[] = [];
  closed = false;
  onmessage: ((ev: { data: string }) => void) | null = null;
  onclose: ((ev: { code: number }) => void) | null = null;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
  close() {
    this.closed = true;
  }
  push(frame: unknown) {
    act(() => this.onmessage?.({ data: JSON.stringify(frame) }));
  }
  drop(code: number) {
    act(() => this.onclose?.({ code }));
  }
}

const base = "http://studio.example.com/fn";
const CATALOG: CatalogService[] = [
  {
    sid: "ZS1", unique_name: "ivr", friendly_name: "IVR",
    environments: [
      {
        sid: "ZEprod", unique_name: "production", domain_name: "studio.example.com/fn/ivr-1", build_sid: "ZB1",
        functions: [
          { sid: "ZHhello", path: "/hello", visibility: "public", url: `${base}/ivr-1/hello` },
          { sid: "ZHadmin", path: "/admin", visibility: "protected", url: `${base}/ivr-1/admin` },
        ],
        assets: [],
      },
      {
        sid: "ZEdev", unique_name: "dev-environment", domain_name: "studio.example.com/fn/ivr-1-dev", build_sid: "ZB2",
        functions: [{ sid: "ZHhello", path: "/hello", visibility: "public", url: `${base}/ivr-1-dev/hello` }],
        assets: [],
      },
    ],
  },
  {
    sid: "ZS2", unique_name: "billing", friendly_name: "Billing",
    environments: [
      {
        sid: "ZEbill", unique_name: "production", domain_name: "billing-2.functions.example.com", build_sid: "ZB3",
        functions: [{ sid: "ZHpay", path: "/pay", visibility: "public", url: "https://billing-2.functions.example.com/pay" }],
        assets: [],
      },
    ],
  },
];

const widget = (name: string, properties: Record<string, unknown>): State => ({ name, type: "run-function", transitions: [], properties });
const flow = (...states: State[]): FlowDefinition => ({
  initial_state: "Trigger",
  states: [{ name: "Trigger", type: "trigger", transitions: [], properties: {} }, ...states],
});
const line = (sid: string, over: Partial<LogLine> = {}): LogLine => ({
  sid, environment_sid: "ZEprod", function_sid: "ZHhello", function_path: "/hello",
  level: "info", message: "hello", date_created: "2026-12-07T18:45:24Z", ...over,
});

describe("which environments the pane follows", () => {
  it("follows the environment a Run Function widget picked", () => {
    const got = followedEnvironments(flow(widget("fn", { service_sid: "ZS1", environment_sid: "ZEdev", function_sid: "ZHhello", url: `${base}/ivr-1-dev/hello` })), CATALOG);
    expect(got.environments).toEqual([{ sid: "ZEdev", label: "ivr · dev-environment", paths: { ZHhello: "/hello" } }]);
    expect(got.unresolved).toEqual([]);
  });

  it("follows every environment serving a function picked without an environment, once each", () => {
    const got = followedEnvironments(flow(widget("a", { function_sid: "ZHhello" }), widget("b", { function_sid: "ZHhello", environment_sid: "ZEprod" })), CATALOG);
    expect(got.environments.map((e) => e.sid)).toEqual(["ZEprod", "ZEdev"]);
    expect(got.widgets).toBe(2);
  });

  it("resolves a URL-only widget by the deployed function's URL, whatever host the gateway path was written with", () => {
    const got = followedEnvironments(
      flow(widget("byPath", { url: "http://127.0.0.1:8000/fn/ivr-1/admin?x=1" }), widget("byHost", { url: "https://billing-2.functions.example.com/pay/" })),
      CATALOG,
    );
    expect(got.environments.map((e) => e.sid)).toEqual(["ZEprod", "ZEbill"]);
    expect(got.unresolved).toEqual([]);
  });

  it("says which widgets call something it cannot follow (an outside URL, a Liquid URL, a function no longer live)", () => {
    const got = followedEnvironments(
      flow(
        widget("outside", { url: "https://example.org/hello" }),
        widget("liquid", { url: "https://{{flow.variables.host}}/hello" }),
        widget("gone", { function_sid: "ZHgone", url: "https://example.org/gone" }),
        widget("empty", {}),
      ),
      CATALOG,
    );
    expect(got.environments).toEqual([]);
    expect(got.unresolved).toEqual(["outside", "liquid", "gone", "empty"]);
  });

  it("compares function URLs by host and path, the /fn/ gateway by path", () => {
    expect(sameFunctionUrl("https://billing-2.functions.example.com/pay", "https://billing-2.functions.example.com/pay")).toBe(true);
    expect(sameFunctionUrl("https://other.functions.example.com/pay", "https://billing-2.functions.example.com/pay")).toBe(false);
    expect(sameFunctionUrl("http://localhost:8000/fn/ivr-1/hello", `${base}/ivr-1/hello`)).toBe(true);
    expect(sameFunctionUrl("not a url", `${base}/ivr-1/hello`)).toBe(false);
  });
});

describe("the Function logs pane", () => {
  let view: Mounted | null = null;
  const q = (id: string) => view!.container.querySelector(`[data-testid=${id}]`) as HTMLElement | null;
  const shown = () =>
    [...view!.container.querySelectorAll("[data-testid=fnlogs-lines] .sim-fnlog")].map((li) => [
      li.querySelector("time")?.textContent,
      li.querySelector(".sim-fnlog-level")?.textContent,
      li.querySelector(".sim-fnlog-path")?.textContent,
      li.querySelector(".sim-fnlog-message")?.textContent,
    ]);
  const tick = () => act(async () => { await new Promise((r) => setTimeout(r, 0)); });
  // The catalog the pane asked for has been read and drawn.
  const settle = () => act(async () => { await loadCatalog(); await new Promise((r) => setTimeout(r, 0)); });
  const fetchMock = vi.fn(async () => new Response(JSON.stringify({ services: CATALOG })));

  beforeEach(() => {
    FakeSocket.all = [];
    fetchMock.mockClear();
    vi.stubGlobal("WebSocket", FakeSocket);
    vi.stubGlobal("fetch", fetchMock);
  });
  afterEach(() => {
    view?.unmount();
    view = null;
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it("shows nothing, and asks nothing, for a flow without Run Function widgets", async () => {
    view = mount(<FunctionLogsPane definition={flow()} />);
    await tick();
    expect(q("sim-fnlogs")).toBeNull();
    expect(fetchMock).not.toHaveBeenCalled();
    expect(FakeSocket.all).toEqual([]);
  });

  it("subscribes to the called environments and shows each new line live, as text", async () => {
    view = mount(<FunctionLogsPane definition={flow(widget("fn", { environment_sid: "ZEprod", function_sid: "ZHhello" }), widget("pay", { url: "https://billing-2.functions.example.com/pay" }))} />);
    await settle();
    expect(FakeSocket.all.map((s) => s.url)).toEqual([
      `ws://${location.host}/ws/functions/ZEprod/logs`,
      `ws://${location.host}/ws/functions/ZEbill/logs`,
    ]);
    expect(q("fnlogs-following")!.textContent).toBe("Following ivr · production, billing · production");
    expect(q("fnlogs-connection")!.dataset.connection).toBe("connecting");
    FakeSocket.all.forEach((s) => s.push({ type: "logs.ready" }));
    expect(q("fnlogs-connection")!.dataset.connection).toBe("live");

    const [prod, bill] = FakeSocket.all;
    prod.push({ type: "log.lines", logs: [line("NO1", { message: "greeting Ada" }), line("NO2", { level: "error", message: "<img src=x onerror=alert(1)>" })] });
    // A line without its path (an older server) takes it from the catalog.
    bill.push({ type: "log.lines", logs: [line("NO3", { environment_sid: "ZEbill", function_sid: "ZHpay", function_path: null, level: "warn", message: "slow" })] });
    prod.push({ type: "log.lines", logs: [line("NO1", { message: "greeting Ada" })] }); // seen already
    const t = clock("2026-12-07T18:45:24Z");
    expect(shown()).toEqual([
      [t, "INFO", "/hello", "greeting Ada"],
      [t, "ERROR", "/hello", "<img src=x onerror=alert(1)>"],
      [t, "WARN", "/pay", "slow"],
    ]);
    expect(view!.container.querySelector("img")).toBeNull();
    expect(view!.container.querySelector("[data-level=error]")).not.toBeNull();

    act(() => q("fnlogs-clear")!.click());
    expect(shown()).toEqual([]);
    view!.unmount();
    view = null;
    expect(FakeSocket.all.every((s) => s.closed)).toBe(true);
  });

  it("says which widgets it cannot follow", async () => {
    view = mount(<FunctionLogsPane definition={flow(widget("outside", { url: "https://example.org/hook" }))} />);
    await settle();
    expect(q("fnlogs-unresolved")!.textContent).toContain("not for outside.");
    expect(FakeSocket.all).toEqual([]);
    expect(q("fnlogs-lines")!.textContent).toBe("No function to follow.");
  });

  it("reconnects after a dropped socket, not after a refusal", async () => {
    view = mount(<FunctionLogsPane definition={flow(widget("fn", { environment_sid: "ZEprod", function_sid: "ZHhello" }))} />);
    await settle();
    vi.useFakeTimers();
    FakeSocket.all[0].drop(1006);
    act(() => void vi.advanceTimersByTime(2000));
    expect(FakeSocket.all.map((s) => s.url.split("/").at(-2))).toEqual(["ZEprod", "ZEprod"]);
    FakeSocket.all[1].drop(4403);
    act(() => void vi.advanceTimersByTime(5000));
    expect(FakeSocket.all).toHaveLength(2);
    expect(q("fnlogs-connection")!.dataset.connection).toBe("refused");
    expect(q("fnlogs-connection")!.textContent).toBe("not allowed");
  });
});
