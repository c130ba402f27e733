import { describe, expect, it } from "vitest";
import { evaluateCondition } from "./conditions.js";
import { renderTemplate, templateVariables } from "./template.js";

describe("renderTemplate", () => {
  const scope = {
    contact: { firstName: "Ana", attributes: { plan: "gold" } },
    fields: {
      budget: { amount: 1200.5, currency: "USD" },
      name: { first: "Jane", last: "Doe", full: "Jane Doe" },
      note: "{{contact.firstName}}",
    },
  };

  it("fills variables, formats money and names, falls back when empty", () => {
    expect(renderTemplate("Hi {{ contact.firstName }} ({{contact.attributes.plan}})", scope)).toBe(
      "Hi Ana (gold)",
    );
    expect(renderTemplate("{{fields.name}} / {{fields.budget}}", scope)).toBe("Jane Doe / $1,200.50");
    expect(renderTemplate("Hi {{contact.lastName|there}}", scope)).toBe("Hi there");
  });

  it("renders unknown variables as empty", () => {
    expect(renderTemplate("a{{nope.x}}b{{contact.zzz}}c{{fields.missing}}", scope)).toBe("abc");
  });

  it("never re-interprets customer-supplied values as templates", () => {
    expect(renderTemplate("You wrote: {{fields.note}}", scope)).toBe("You wrote: {{contact.firstName}}");
  });

  it("lists variables", () => {
    expect(templateVariables("{{a.b}} and {{ c.d | x }}")).toEqual(["a.b", "c.d"]);
  });
});

describe("evaluateCondition", () => {
  const scope = {
    fields: { budget: { amount: 500, currency: "USD" }, from: "2025-03-01", to: "2025-02-01", plan: "Pro" },
  };
  it("compares money by amount, dates as ISO strings, strings case-insensitively", () => {
    expect(evaluateCondition({ all: [{ var: "fields.budget", op: "gte", value: 500 }] }, scope)).toBe(true);
    expect(evaluateCondition({ all: [{ var: "fields.budget", op: "gt", value: 500 }] }, scope)).toBe(false);
    expect(evaluateCondition({ all: [{ var: "fields.to", op: "gt", other: "fields.from" }] }, scope)).toBe(
      false,
    );
    expect(
      evaluateCondition({ any: [{ var: "fields.plan", op: "in", value: ["pro", "team"] }] }, scope),
    ).toBe(true);
    expect(evaluateCondition({ all: [{ var: "fields.zzz", op: "exists" }] }, scope)).toBe(false);
  });
});
