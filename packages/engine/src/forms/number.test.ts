import { describe, expect, it } from "vitest";
import { extractMoney, extractNumber } from "./number.js";
import { parseNumberWords } from "./numberWords.js";

describe("numbers", () => {
  it.each([
    ["25k", 25000],
    ["about 1.5 million", 1500000],
    ["twenty-five thousand", 25000],
    ["one hundred and five", 105],
    ["a thousand", 1000],
    ["2.5", 2.5],
    ["1,234,567", 1234567],
    ["we are 12 people", 12],
  ] as const)("%s → %d", (text, n) => {
    expect(extractNumber(text)).toEqual({ ok: true, value: n });
  });
  it("rejects text without a number", () => {
    expect(extractNumber("lots")).toEqual({ ok: false, reason: "not_found" });
  });
  it("parses number words", () => {
    expect(parseNumberWords("two and a half million")).toBe(2500000);
    expect(parseNumberWords("nine hundred ninety-nine")).toBe(999);
    expect(parseNumberWords("a cat")).toBeNull();
  });
});

describe("money", () => {
  it.each([
    ["$1,200.50", 1200.5, "USD"],
    ["€300", 300, "EUR"],
    ["300 EUR", 300, "EUR"],
    ["£2k", 2000, "GBP"],
    ["1.200,50 €", 1200.5, "EUR"],
    ["twenty-five thousand dollars", 25000, "USD"],
    ["1.5 million", 1500000, "USD"],
    ["around 40 grand", 40000, "USD"],
  ] as const)("%s → %d %s", (text, amount, currency) => {
    expect(extractMoney(text, "USD")).toEqual({ ok: true, value: { amount, currency } });
  });
  it("uses the default currency and the tenant's dollar for $", () => {
    expect(extractMoney("500", "GBP")).toEqual({ ok: true, value: { amount: 500, currency: "GBP" } });
    expect(extractMoney("$500", "CAD")).toEqual({ ok: true, value: { amount: 500, currency: "CAD" } });
  });
  it("rejects percentages and missing amounts", () => {
    expect(extractMoney("give me a 90% discount")).toEqual({ ok: false, reason: "invalid" });
    expect(extractMoney("not sure yet")).toEqual({ ok: false, reason: "not_found" });
  });
});
