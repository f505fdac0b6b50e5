import { describe, expect, it } from "vitest";
import { countsOf, handleEvent, transitionKey, windowBounds } from "../analyticsStore";

describe("path analytics on the canvas", () => {
  it("keys counts by transition, so two branches into one widget stay apart", () => {
    const counts = countsOf({
      flow_sid: "FW1", since: "", until: null, step_count: 5, dropoffs: [], entries: [],
      transitions: [
        { from: "split", event: "match", to: "thanks", count: 2 },
        { from: "split", event: "noMatch", to: "thanks", count: 3 },
      ],
    });
    expect(counts[transitionKey("split", "match", "thanks")]).toBe(2);
    expect(counts[transitionKey("split", "noMatch", "thanks")]).toBe(3);
  });

  it("reads a canvas edge's event from its handle, split branches included", () => {
    expect(handleEvent("match:2")).toBe("match");
    expect(handleEvent("incomingMessage")).toBe("incomingMessage");
    expect(handleEvent(undefined)).toBe("");
  });

  it("turns a window into the API's since and until, a custom one only once it is complete", () => {
    const now = Date.parse("2026-12-07T12:00:00Z");
    expect(windowBounds("hour", "", "", now)).toEqual({ since: "2026-12-07T11:00:00.000Z" });
    expect(windowBounds("custom", "", "", now)).toBeNull();
    const since = "2026-12-01T00:00";
    expect(windowBounds("custom", since, "", now)).toEqual({ since: new Date(since).toISOString() });
    expect(windowBounds("custom", since, "2026-11-30T00:00", now)).toBeNull();
    expect(windowBounds("custom", since, "2026-12-02T00:00", now)?.until).toBe(new Date("2026-12-02T00:00").toISOString());
  });
});
