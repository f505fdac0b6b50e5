import { act } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { JsonTree } from "../../components/JsonTree";
import { mount } from "../../testing/render";
import { activeNav, NAV } from "../nav";
import { Shell } from "../Shell";

describe("console navigation", () => {
  it("lists Flows, Executions, Functions, Agents and Settings", () => {
    expect(NAV.map((n) => n.label)).toEqual(["Flows", "Executions", "Functions", "Agents", "Settings"]);
    expect(NAV.find((n) => n.id === "agents")?.children?.map((c) => c.href)).toEqual(["/flex/agent", "/flex/supervisor"]);
  });

  it("marks the entry a page belongs to", () => {
    expect(activeNav("/")).toBe("flows");
    expect(activeNav(`/flows/FW${"a".repeat(32)}`)).toBe("flows");
    expect(activeNav("/executions")).toBe("executions");
    expect(activeNav(`/executions/FN${"a".repeat(32)}`)).toBe("executions");
    expect(activeNav("/functions/")).toBe("functions");
    expect(activeNav("/flex/supervisor")).toBe("agents");
    expect(activeNav("/settings")).toBe("settings");
    expect(activeNav("/login")).toBeNull();
  });
});

function answer(body: unknown): Response {
  return new Response(JSON.stringify(body), { status: 200, headers: { "Content-Type": "application/json" } });
}

describe("the shell", () => {
  afterEach(() => vi.unstubAllGlobals());

  it("offers an account switcher to a user in several accounts, on the current one", async () => {
    const me = { username: "alice", account_sid: "AC2", account_name: "Two", role: "viewer" };
    const accounts = [
      { account_sid: "AC1", friendly_name: "One", role: "owner", current: false },
      { account_sid: "AC2", friendly_name: "Two", role: "viewer", current: true },
    ];
    vi.stubGlobal("fetch", vi.fn(async (url: string) => answer(url.endsWith("/me") ? me : { accounts })));
    const view = mount(<Shell path="/executions"><p>page</p></Shell>);
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
    const select = view.container.querySelector<HTMLSelectElement>("[data-testid=account-switcher]");
    expect(select?.value).toBe("AC2");
    expect([...(select?.options ?? [])].map((o) => o.text)).toEqual(["One (owner)", "Two (viewer)"]);
    expect(view.container.querySelector("a.active")?.textContent).toBe("Executions");
    expect(view.container.querySelector(".shell-body")?.textContent).toBe("page");
    view.unmount();
  });

  it("shows only the account's name to a user in one account", async () => {
    const me = { username: "alice", account_sid: "AC1", account_name: "One", role: "owner" };
    vi.stubGlobal("fetch", vi.fn(async (url: string) => answer(url.endsWith("/me") ? me : { accounts: [] })));
    const view = mount(<Shell path="/"><p>page</p></Shell>);
    await act(async () => {
      await new Promise((r) => setTimeout(r, 0));
    });
    expect(view.container.querySelector("[data-testid=account-switcher]")).toBeNull();
    expect(view.container.querySelector("[data-testid=account-name]")?.textContent).toBe("One");
    view.unmount();
  });
});

describe("the JSON tree", () => {
  it("opens the top level and folds deeper objects until clicked", () => {
    const view = mount(<JsonTree value={{ widgets: { ask: { Body: "hi" } }, n: 1 }} openDepth={1} />);
    const text = () => view.container.textContent ?? "";
    expect(text()).toContain('n: 1');
    expect(text()).not.toContain('"hi"');
    const folded = [...view.container.querySelectorAll<HTMLButtonElement>(".json-toggle")].find((b) =>
      b.textContent?.includes("widgets"),
    );
    act(() => folded?.click());
    const ask = [...view.container.querySelectorAll<HTMLButtonElement>(".json-toggle")].find((b) => b.textContent?.includes("ask"));
    act(() => ask?.click());
    expect(text()).toContain('Body: "hi"');
    view.unmount();
  });
});
