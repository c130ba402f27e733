import { describe, expect, it } from "vitest";
import { extractPhone } from "./phone.js";

describe("extractPhone", () => {
  it.each([
    ["call me on +44 20 7946 0958", undefined, "+442079460958"],
    ["(415) 555-2671", "US", "+14155552671"],
    ["my number: 030 12345678", "DE", "+493012345678"],
    ["0033 1 42 68 53 00", undefined, "+33142685300"],
    ["+91 98765 43210 is my mobile", undefined, "+919876543210"],
    ["06 12 34 56 78", "FR", "+33612345678"],
  ] as const)("%s (%s) → %s", (text, country, e164) => {
    expect(extractPhone(text, country)).toEqual({ ok: true, value: e164 });
  });
  it("rejects invalid and missing numbers", () => {
    expect(extractPhone("+44 12", undefined).ok).toBe(false);
    expect(extractPhone("123456", "US")).toEqual({ ok: false, reason: "invalid" });
    expect(extractPhone("+1 000 000 0000", "US")).toEqual({ ok: false, reason: "invalid" });
    expect(extractPhone("no phone sorry", "US")).toEqual({ ok: false, reason: "not_found" });
  });
});
