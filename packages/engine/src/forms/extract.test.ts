import { describe, expect, it } from "vitest";
import type { Field } from "../routes/schema.js";
import { checkCrossFieldRules } from "./crossField.js";
import { extractField } from "./extract.js";
import { reaskMessage } from "./messages.js";
import { extractText } from "./text.js";

const ctx = {
  now: new Date("2025-03-14T14:00:00Z"),
  timeZone: "America/New_York",
  defaultCountry: "US" as const,
};
const field = (f: Partial<Field>): Field => ({ name: "f", label: "Thing", type: "text", ...f });

describe("extractField validation", () => {
  it("applies min/max to numbers, money amounts and text length", () => {
    expect(
      extractField(field({ type: "number", validation: { required: true, min: 1, max: 10 } }), "12", ctx),
    ).toEqual({ ok: false, reason: "too_large" });
    expect(
      extractField(field({ type: "money", validation: { required: true, min: 100 } }), "$50", ctx),
    ).toEqual({ ok: false, reason: "too_small" });
    expect(extractField(field({ type: "text", validation: { required: true, min: 5 } }), "hey", ctx)).toEqual(
      { ok: false, reason: "too_small" },
    );
  });
  it("applies patterns and date bounds", () => {
    expect(
      extractField(field({ validation: { required: true, pattern: "^[A-Z]{2}\\d{4}$" } }), "ab12", ctx),
    ).toEqual({ ok: false, reason: "pattern_mismatch" });
    expect(
      extractField(field({ validation: { required: true, pattern: "^[A-Z]{2}\\d{4}$" } }), "AB1234", ctx),
    ).toEqual({ ok: true, value: "AB1234" });
    const date = field({ type: "date", validation: { required: true, minDate: "today", maxDate: "+30d" } });
    expect(extractField(date, "yesterday", ctx)).toEqual({ ok: false, reason: "too_early" });
    expect(extractField(date, "in 2 months", ctx)).toEqual({ ok: false, reason: "too_late" });
    expect(extractField(date, "next tuesday", ctx)).toEqual({ ok: true, value: "2025-03-18" });
  });
  it("lets optional fields be skipped, but not required ones", () => {
    expect(extractField(field({ type: "email", validation: { required: false } }), "skip", ctx)).toEqual({
      ok: true,
      value: null,
    });
    expect(extractField(field({ type: "email" }), "skip", ctx).ok).toBe(false);
  });
  it("has a clear re-ask message per type and failure", () => {
    expect(reaskMessage(field({ type: "email" }), "invalid")).toMatch(/doesn't look right/);
    expect(reaskMessage(field({ type: "email" }), "not_found")).toMatch(/name@example.com/);
    expect(
      reaskMessage(
        field({
          type: "choice",
          options: [
            { value: "a", label: "Alpha" },
            { value: "b", label: "Beta" },
          ],
        }),
        "ambiguous",
      ),
    ).toBe("Sorry, which one did you mean? 1. Alpha, 2. Beta");
    expect(
      reaskMessage(field({ type: "number", validation: { required: true, min: 3 } }), "too_small"),
    ).toMatch(/minimum of 3/);
  });
  it("strips invisible characters from free text", () => {
    expect(extractText("  hello\u200B   world\u202E ")).toEqual({ ok: true, value: "hello world" });
  });
});

describe("cross-field rules", () => {
  const rules = [
    {
      id: "order",
      check: { var: "fields.to", op: "gt" as const, other: "fields.from" },
      message: "End after start.",
    },
    {
      id: "min",
      when: { all: [{ var: "fields.product", op: "eq" as const, value: "pro" }] },
      check: { var: "fields.budget", op: "gte" as const, value: 1000 },
      message: "Pro needs 1000.",
    },
  ];
  it("reports a failing rule once its fields are in, naming the rule", () => {
    expect(checkCrossFieldRules(rules, { fields: { from: "2025-03-10", to: "2025-03-01" } }, "to")).toEqual([
      { ruleId: "order", message: "End after start.", fields: ["to", "from"] },
    ]);
    expect(checkCrossFieldRules(rules, { fields: { from: "2025-03-10", to: "2025-03-11" } }, "to")).toEqual(
      [],
    );
    expect(checkCrossFieldRules(rules, { fields: { from: "2025-03-10" } }, "from")).toEqual([]);
  });
  it("applies conditional rules only when their condition holds", () => {
    expect(
      checkCrossFieldRules(
        rules,
        { fields: { product: "pro", budget: { amount: 500, currency: "USD" } } },
        "budget",
      ),
    ).toHaveLength(1);
    expect(
      checkCrossFieldRules(
        rules,
        { fields: { product: "basic", budget: { amount: 500, currency: "USD" } } },
        "budget",
      ),
    ).toHaveLength(0);
  });
});
