import { describe, expect, it } from "vitest";
import { apiQuery, chunks, EMPTY, endable, filtersFromSearch, searchFromFilters, toggled } from "../query";
import { executionFromSearch } from "../../live/executionPath";

const FW = `FW${"a".repeat(32)}`;

describe("explorer filters", () => {
  it("round-trips through the page's URL, keeping only what differs from the defaults", () => {
    const f = { ...EMPTY, status: "stuck" as const, contact: "+1555", flow: FW, revision: "3" };
    const search = searchFromFilters(f);
    expect(search).toBe(`?status=stuck&contact=%2B1555&flow=${FW}&revision=3`);
    expect(filtersFromSearch(search)).toEqual(f);
    expect(searchFromFilters(EMPTY)).toBe("");
  });

  it("ignores a status it does not know", () => {
    expect(filtersFromSearch("?status=asleep").status).toBe("");
  });

  it("asks for active and stuck executions when the status is stuck", () => {
    const q = apiQuery({ ...EMPTY, status: "stuck" });
    expect(q.get("status")).toBe("active");
    expect(q.get("stuck")).toBe("true");
    expect(apiQuery({ ...EMPTY, status: "ended" }).get("stuck")).toBeNull();
  });

  it("sends the day after the To date, since the API's until is exclusive", () => {
    const q = apiQuery({ ...EMPTY, from: "2026-02-27", to: "2026-02-28" });
    expect(q.get("since")).toBe("2026-02-27");
    expect(q.get("until")).toBe("2026-03-01");
    expect(apiQuery({ ...EMPTY, from: "yesterday" }).get("since")).toBeNull();
  });

  it("sends a revision only with a flow, and the stuck threshold in seconds", () => {
    expect(apiQuery({ ...EMPTY, revision: "2" }).get("revision")).toBeNull();
    const q = apiQuery({ ...EMPTY, flow: FW, revision: "2", widget: " ask ", stuckAfter: "5" });
    expect([q.get("flow"), q.get("revision"), q.get("widget"), q.get("stuck_after")]).toEqual([FW, "2", "ask", "300"]);
  });

  it("continues from a page token", () => {
    expect(apiQuery(EMPTY, "1234", 25).toString()).toBe("stuck_after=3600&page_size=25&page_token=1234");
  });
});

describe("explorer selection", () => {
  it("toggles a sid into a new set", () => {
    const one = toggled(new Set(), "FN1");
    expect([...one]).toEqual(["FN1"]);
    expect([...toggled(one, "FN1")]).toEqual([]);
  });

  it("ends only the selected executions still active", () => {
    const rows = [
      { sid: "FN1", status: "active" },
      { sid: "FN2", status: "ended" },
      { sid: "FN3", status: "active" },
    ];
    expect(endable(rows, new Set(["FN1", "FN2"]))).toEqual(["FN1"]);
  });

  it("splits a bulk action into requests of at most 200", () => {
    const parts = chunks(Array.from({ length: 450 }, (_, i) => i));
    expect(parts.map((p) => p.length)).toEqual([200, 200, 50]);
  });
});

describe("the execution path link", () => {
  it("reads an execution sid from the canvas URL and nothing else", () => {
    expect(executionFromSearch(`?execution=FN${"0".repeat(32)}`)).toBe(`FN${"0".repeat(32)}`);
    expect(executionFromSearch("?execution=<script>")).toBeNull();
    expect(executionFromSearch("")).toBeNull();
  });
});
