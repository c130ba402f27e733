import { describe, expect, it } from "vitest";
import { extractName } from "./name.js";

describe("extractName", () => {
  it.each([
    ["I'm Jane Doe", "Jane", "Doe"],
    ["my name is jane", "Jane", null],
    ["This is Dr. Ludwig van Beethoven", "Ludwig", "van Beethoven"],
    ["mary-jane o'neil", "Mary-Jane", "O'Neil"],
    ["José García, and I need a quote", "José", "García"],
  ] as const)("%s", (text, first, last) => {
    const r = extractName(text);
    expect(r.ok && r.value.first).toBe(first);
    expect(r.ok && r.value.last).toBe(last);
  });
  it("rejects non-names", () => {
    expect(extractName("yes")).toEqual({ ok: false, reason: "not_found" });
    expect(extractName("jane123")).toEqual({ ok: false, reason: "invalid" });
    expect(extractName("I would like to know more about your pricing plans")).toEqual({
      ok: false,
      reason: "not_found",
    });
  });
});
