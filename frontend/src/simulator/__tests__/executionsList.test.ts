import { describe, expect, it } from "vitest";
import type { ListedExecution } from "../../api/client";
import { mergeFirstPage, toQuery } from "../ExecutionsList";

const row = (sid: string): ListedExecution => ({ sid, status: "active", current_widget: "ask", stuck: false, stuck_reason: null });

describe("the executions list's filters", () => {
  it("asks for active executions flagged stuck under the Stuck filter", () => {
    expect(toQuery("stuck", " 555 ", "", "")).toEqual({ status: "active", stuck: true, contact: "555", since: "", until: "" });
  });
  it("includes the whole last day of the date range", () => {
    expect(toQuery("", "", "2026-12-01", "2026-12-07")).toMatchObject({ since: "2026-12-01", until: "2026-12-08", status: "" });
    expect(toQuery("", "", "", "2026-12-31").until).toBe("2027-01-01");
  });
});

describe("refreshing the first page", () => {
  it("keeps the rows loaded beyond it", () => {
    const prev = ["e", "d", "c", "b", "a"].map(row);
    const first = ["f", "e", "d"].map(row);
    expect(mergeFirstPage(prev, first).map((r) => r.sid)).toEqual(["f", "e", "d", "c", "b", "a"]);
  });
  it("takes the first page alone when nothing more was loaded", () => {
    expect(mergeFirstPage([], ["b", "a"].map(row)).map((r) => r.sid)).toEqual(["b", "a"]);
  });
});
