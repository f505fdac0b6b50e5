import { describe, expect, it } from "vitest";
import { countsOf, handleEvent, transitionKey } from "../analyticsStore";

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
});
