import { describe, expect, it } from "vitest";
import { decayed, scoreLead } from "./score.js";
import type { ScoringRule } from "./types.js";

const now = new Date("2026-03-10T12:00:00Z");
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000).toISOString();

const rules: ScoringRule[] = [
  { kind: "fit", label: "Country is DE", points: 10, condition: { field: "country", op: "eq", value: "de" } },
  {
    kind: "fit",
    label: "50+ employees",
    points: 15,
    condition: { field: "employees", op: "gte", value: 50 },
  },
  { kind: "fit", label: "Student", points: -20, condition: { field: "role", op: "eq", value: "student" } },
  { kind: "engagement", label: "Pricing page", points: 8, eventType: "page.pricing", halfLifeDays: 7 },
  { kind: "signal", label: "Budget ≥ 10k", points: 20, signal: "budget", minBudget: 10_000 },
  { kind: "signal", label: "Decision maker", points: 10, signal: "authority" },
  { kind: "signal", label: "Timeline known", points: 5, signal: "timeline" },
];

describe("scoreLead", () => {
  it("adds fit, decayed engagement and signals, and explains every point", () => {
    const result = scoreLead(
      rules,
      {
        attributes: { country: "DE", employees: "120" },
        signals: { budget: 25_000, authority: true, need: "crm", timeline: null },
      },
      // Now: 8; one half-life ago: 4; two half-lives: 2 → 14.
      [
        { type: "page.pricing", occurredAt: daysAgo(0) },
        { type: "page.pricing", occurredAt: daysAgo(7) },
        { type: "page.pricing", occurredAt: daysAgo(14) },
        { type: "page.blog", occurredAt: daysAgo(0) },
      ],
      now,
    );
    expect(result.breakdown).toEqual([
      { kind: "fit", label: "Country is DE", points: 10 },
      { kind: "fit", label: "50+ employees", points: 15 },
      { kind: "engagement", label: "Pricing page", points: 14 },
      { kind: "signal", label: "Budget ≥ 10k", points: 20 },
      { kind: "signal", label: "Decision maker", points: 10 },
    ]);
    expect(result.score).toBe(69);
  });

  it("engagement decays with its half-life as time passes", () => {
    const lead = { attributes: {}, signals: {} };
    const events = [{ type: "page.pricing", occurredAt: daysAgo(0) }];
    const fresh = scoreLead(rules, lead, events, now);
    const later = scoreLead(rules, lead, events, new Date(now.getTime() + 21 * 86_400_000));
    expect(fresh.score).toBe(8);
    expect(later.breakdown[0]?.points).toBe(1); // 8 × 0.5³
    expect(decayed(8, 3.5, 7)).toBeCloseTo(8 / Math.SQRT2, 10);
  });

  it("caps repeated events, keeps the total within 0…100, and negative fit subtracts", () => {
    const capped: ScoringRule[] = [
      { kind: "engagement", label: "Visits", points: 30, eventType: "visit", halfLifeDays: 30, maxEvents: 2 },
    ];
    const events = Array.from({ length: 10 }, () => ({ type: "visit", occurredAt: daysAgo(0) }));
    expect(scoreLead(capped, { attributes: {}, signals: {} }, events, now).score).toBe(60);
    const many: ScoringRule[] = [{ ...capped[0], maxEvents: 10 } as ScoringRule];
    expect(scoreLead(many, { attributes: {}, signals: {} }, events, now).score).toBe(100);
    expect(scoreLead(rules, { attributes: { role: "Student" }, signals: {} }, [], now)).toEqual({
      score: 0,
      breakdown: [{ kind: "fit", label: "Student", points: -20 }],
    });
  });
});
