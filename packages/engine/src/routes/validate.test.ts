import { describe, expect, it } from "vitest";
import { quoteRoute } from "../testing/fixtures.js";
import { patternProblem, tenantPattern } from "./pattern.js";
import type { RouteInput } from "./schema.js";
import { type RouteErrorCode, validateRoute } from "./validate.js";

const base = (steps: unknown[], extra: Partial<RouteInput> = {}) => ({ id: "r", name: "R", steps, ...extra });
const ask = (id: string, name: string, next: string, more: object = {}) => ({
  id,
  kind: "ask",
  prompt: `Your ${name}?`,
  field: { name, label: name, type: "text" },
  next,
  ...more,
});

function codes(input: unknown): { stepId: string | null; code: RouteErrorCode }[] {
  const r = validateRoute(input);
  return r.ok ? [] : r.errors.map(({ stepId, code }) => ({ stepId, code }));
}

describe("validateRoute", () => {
  it("accepts a well-formed route with loops that wait for the customer and can exit", () => {
    const r = validateRoute(quoteRoute);
    expect(r.errors).toEqual([]);
    expect(r.ok).toBe(true);
    const loop = base([
      ask("q", "answer", "check"),
      {
        id: "check",
        kind: "branch",
        cases: [{ when: { all: [{ var: "fields.answer", op: "eq", value: "yes" }] }, next: "end" }],
        otherwise: "q",
      },
      { id: "end", kind: "end" },
    ]);
    expect(codes(loop)).toEqual([]);
  });

  it("schema_invalid: names the step whose shape is wrong", () => {
    expect(
      codes(
        base([
          { id: "s1", kind: "say", next: "s2" },
          { id: "s2", kind: "end" },
        ]),
      ),
    ).toEqual([{ stepId: "s1", code: "schema_invalid" }]);
    expect(codes({ id: "r" })[0]?.code).toBe("schema_invalid");
  });

  it("duplicate_step_id", () => {
    expect(
      codes(
        base([
          { id: "a", kind: "say", text: "x", next: "a2" },
          { id: "a2", kind: "end" },
          { id: "a2", kind: "end" },
        ]),
      ),
    ).toContainEqual({
      stepId: "a2",
      code: "duplicate_step_id",
    });
  });

  it("dangling_next", () => {
    expect(codes(base([{ id: "a", kind: "say", text: "x", next: "nowhere" }]))).toEqual([
      { stepId: "a", code: "dangling_next" },
    ]);
  });

  it("unreachable_step", () => {
    expect(
      codes(
        base([
          { id: "a", kind: "end" },
          { id: "orphan", kind: "say", text: "x", next: "a" },
        ]),
      ),
    ).toEqual([{ stepId: "orphan", code: "unreachable_step" }]);
  });

  it("unbounded_loop: a cycle with no ask step", () => {
    const r = validateRoute(
      base([
        { id: "a", kind: "say", text: "x", next: "b" },
        { id: "b", kind: "say", text: "y", next: "a" },
      ]),
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.errors).toEqual([
        { stepId: "a", code: "unbounded_loop", message: expect.stringContaining("a → b → a") },
      ]);
    }
  });

  it("unbounded_loop: a cycle with an ask that can never leave", () => {
    const steps = [
      ask("q", "x", "s", { onMaxAttempts: "skip" }),
      { id: "s", kind: "say", text: "again", next: "q" },
    ];
    expect(codes(base(steps))).toEqual([{ stepId: "q", code: "unbounded_loop" }]);
    // The same loop is fine when running out of attempts hands off.
    expect(codes(base([ask("q", "x", "s", { onMaxAttempts: "handoff" }), steps[1]]))).toEqual([]);
  });

  it("unknown_variable in templates, conditions and rules", () => {
    const r = codes(
      base(
        [
          { id: "a", kind: "say", text: "Hi {{contact.shoeSize}} {{fields.nope}}", next: "b" },
          {
            id: "b",
            kind: "branch",
            cases: [{ when: { all: [{ var: "weather.today", op: "exists" }] }, next: "c" }],
            otherwise: "c",
          },
          { id: "c", kind: "end" },
        ],
        { rules: [{ id: "r1", check: { var: "fields.ghost", op: "gt", value: 1 }, message: "m" }] },
      ),
    );
    expect(r).toEqual([
      { stepId: "a", code: "unknown_variable" },
      { stepId: "a", code: "unknown_variable" },
      { stepId: "b", code: "unknown_variable" },
      { stepId: null, code: "unknown_variable" },
    ]);
    // Custom contact attributes are open-ended.
    expect(
      codes(
        base([
          { id: "a", kind: "say", text: "{{contact.attributes.plan}}", next: "e" },
          { id: "e", kind: "end" },
        ]),
      ),
    ).toEqual([]);
  });

  it("field_used_before_asked, including on only one branch", () => {
    expect(
      codes(
        base([
          { id: "a", kind: "say", text: "Hello {{fields.name}}", next: "q" },
          ask("q", "name", "e"),
          { id: "e", kind: "end" },
        ]),
      ),
    ).toEqual([{ stepId: "a", code: "field_used_before_asked" }]);
    const oneBranch = base([
      {
        id: "b",
        kind: "branch",
        cases: [{ when: { all: [{ var: "contact.email", op: "exists" }] }, next: "q" }],
        otherwise: "s",
      },
      ask("q", "name", "s"),
      { id: "s", kind: "say", text: "Bye {{fields.name}}", next: "e" },
      { id: "e", kind: "end" },
    ]);
    expect(codes(oneBranch)).toEqual([{ stepId: "s", code: "field_used_before_asked" }]);
  });

  it("missing_choice_options, invalid_pattern, invalid_bounds", () => {
    const r = codes(
      base([
        { id: "c", kind: "ask", prompt: "?", field: { name: "c", label: "C", type: "choice" }, next: "p" },
        {
          id: "p",
          kind: "ask",
          prompt: "?",
          field: { name: "p", label: "P", type: "text", validation: { pattern: "([" } },
          next: "n",
        },
        {
          id: "n",
          kind: "ask",
          prompt: "?",
          field: { name: "n", label: "N", type: "number", validation: { min: 10, max: 1 } },
          next: "e",
        },
        { id: "e", kind: "end" },
      ]),
    );
    expect(r).toEqual([
      { stepId: "c", code: "missing_choice_options" },
      { stepId: "p", code: "invalid_pattern" },
      { stepId: "n", code: "invalid_bounds" },
    ]);
  });
});

describe("tenant patterns that could hang a turn", () => {
  const route = (pattern: string, matches: string) => ({
    id: "r",
    name: "R",
    examples: ["x"],
    steps: [
      {
        id: "ask",
        kind: "ask",
        prompt: "Code?",
        field: { name: "code", label: "Code", type: "text", validation: { pattern } },
        next: "b",
      },
      {
        id: "b",
        kind: "branch",
        cases: [{ when: { all: [{ var: "fields.code", op: "matches", value: matches }] }, next: "end" }],
        otherwise: "end",
      },
      { id: "end", kind: "end" },
    ],
  });

  it("run in time linear in the text: patterns that backtrack catastrophically elsewhere are harmless", () => {
    expect(validateRoute(route("^(a+)+$", "^(a|a)*$")).ok).toBe(true);
    const evil = `${"a".repeat(20_000)}!`;
    const started = performance.now();
    for (const p of ["^(a+)+$", "^(a|a)*$", "(x+x+)+y"]) expect(tenantPattern(p)?.test(evil)).toBe(false);
    // A backtracking engine needs longer than the age of the universe for these; RE2 a few ms.
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(tenantPattern("^(a+)+$")?.test("aaaa")).toBe(true);
    expect(tenantPattern("^vip", "i")?.test("VIP customer")).toBe(true);
  });

  it("refuses lookaround and backreferences (not matchable in linear time), naming the step", () => {
    const result = validateRoute(route("^(?=a)b", "(a)\\1"));
    expect(result.ok).toBe(false);
    const errors = result.ok ? [] : result.errors.filter((e) => e.code === "invalid_pattern");
    expect(errors.map((e) => e.stepId).sort()).toEqual(["ask", "b"]);
    expect(errors[0]?.message).toMatch(/lookaround or backreferences/);
    expect(patternProblem("(unclosed")).toMatch(/^is not a valid regular expression/);
    expect(patternProblem("a".repeat(301))).toMatch(/longer than 300/);
  });

  it("accepts ordinary patterns", () => {
    expect(validateRoute(route("^[A-Z]{2}\\d{4}$", "^vip")).ok).toBe(true);
    expect(tenantPattern("^[A-Z]{2}\\d{4}$")?.test("AB1234")).toBe(true);
  });
});
