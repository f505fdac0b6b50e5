import { describe, expect, it } from "vitest";
import { parseParameters } from "../RestTab";

describe("the REST tab's Parameters", () => {
  it("reads an empty box as no parameters", () => {
    expect(parseParameters("  ")).toEqual({});
  });
  it("reads a JSON object", () => {
    expect(parseParameters('{"name": "Ada", "n": 2}')).toEqual({ name: "Ada", n: 2 });
  });
  it("refuses text that is not JSON, and JSON that is not an object", () => {
    expect(() => parseParameters("{name}")).toThrow("valid JSON");
    expect(() => parseParameters("[1]")).toThrow("JSON object");
    expect(() => parseParameters("null")).toThrow("JSON object");
  });
});
