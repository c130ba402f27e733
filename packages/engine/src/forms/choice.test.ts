import { describe, expect, it } from "vitest";
import { extractChoice } from "./choice.js";

const options = [
  { value: "starter", label: "Starter" },
  { value: "premium", label: "Premium", synonyms: ["pro", "business"] },
  { value: "enterprise", label: "Enterprise" },
];

describe("extractChoice", () => {
  it.each([
    ["Premium", "premium"],
    ["premuim", "premium"],
    ["entreprise", "enterprise"],
    ["I'd like the starer plan", "starter"],
    ["pro", "premium"],
    ["business please", "premium"],
    ["2", "premium"],
    ["option 3", "enterprise"],
    ["the first one", "starter"],
    ["ENTERPRISE!", "enterprise"],
  ] as const)("%s → %s", (text, value) => {
    expect(extractChoice(text, options)).toEqual({ ok: true, value });
  });
  it("rejects unrelated text, out-of-range numbers and ambiguity", () => {
    expect(extractChoice("banana", options)).toEqual({ ok: false, reason: "not_found" });
    expect(extractChoice("7", options)).toEqual({ ok: false, reason: "not_found" });
    expect(extractChoice("starter or premium", options)).toEqual({ ok: false, reason: "ambiguous" });
  });
});
