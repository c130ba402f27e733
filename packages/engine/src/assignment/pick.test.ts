import { describe, expect, it } from "vitest";
import { seededRandom } from "../random.js";
import { ruleMatches } from "./conditions.js";
import { pickAssignee } from "./pick.js";
import type { AssignableLead, Candidate } from "./types.js";

// Tuesday 2026-03-10 14:00 UTC = 15:00 in Berlin, 10:00 in New York.
const now = new Date("2026-03-10T14:00:00Z");
const lead: AssignableLead = { score: 50, territory: "EU", language: "de", product: "crm", source: "api" };
const rep = (userId: string, over: Partial<Candidate> = {}): Candidate => ({
  userId,
  skills: [],
  languages: [],
  territories: [],
  capacity: null,
  openLeads: 0,
  weight: 1,
  timeZone: "UTC",
  workingHours: [],
  outOfOffice: [],
  presence: "online",
  lastAssignedAt: null,
  ...over,
});
const rnd = seededRandom(1);

describe("pickAssignee", () => {
  it("round robin goes to the member assigned longest ago, and cycles fairly", () => {
    const team = ["a", "b", "c", "d"].map((id) => rep(id));
    const counts: Record<string, number> = {};
    for (let i = 0; i < 100; i++) {
      const pick = pickAssignee("round_robin", team, lead, now, rnd);
      const chosen = team.find((c) => c.userId === pick.userId) as Candidate;
      chosen.lastAssignedAt = new Date(now.getTime() + i);
      counts[chosen.userId] = (counts[chosen.userId] ?? 0) + 1;
    }
    expect(counts).toEqual({ a: 25, b: 25, c: 25, d: 25 });
  });

  it("skips members away, at capacity, out of office, off hours or lacking language/territory/skill", () => {
    const team = [
      rep("away", { presence: "away" }),
      rep("full", { capacity: 3, openLeads: 3 }),
      rep("ooo", { outOfOffice: [{ from: "2026-03-09", to: "2026-03-11" }] }),
      rep("ny-morning-off", {
        timeZone: "America/New_York",
        workingHours: [{ day: 2, start: "11:00", end: "17:00" }],
      }),
      rep("french", { languages: ["fr"] }),
      rep("us-only", { territories: ["US"] }),
      rep("no-skill", { skills: ["helpdesk"] }),
      rep("berlin", { timeZone: "Europe/Berlin", workingHours: [{ day: 2, start: "09:00", end: "17:00" }] }),
    ];
    const pick = pickAssignee("round_robin", team, lead, now, rnd);
    expect(pick.userId).toBe("berlin");
    expect(Object.fromEntries(pick.skipped.map((s) => [s.userId, s.reason]))).toEqual({
      away: "presence is away",
      full: "at capacity (3/3)",
      ooo: "out of office",
      "ny-morning-off": "off hours",
      french: "does not speak de",
      "us-only": "does not cover EU",
      "no-skill": "no skill for crm",
    });
  });

  it("returns no owner when nobody is eligible", () => {
    const pick = pickAssignee("least_loaded", [rep("x", { presence: "offline" })], lead, now, rnd);
    expect(pick).toMatchObject({ userId: null, reason: "no eligible member (1 skipped)" });
  });

  it("least loaded picks the lowest share of capacity; specific picks the named owner", () => {
    const team = [rep("a", { capacity: 10, openLeads: 5 }), rep("b", { capacity: 4, openLeads: 1 })];
    expect(pickAssignee("least_loaded", team, lead, now, rnd).userId).toBe("b");
    expect(pickAssignee("specific", team, lead, now, rnd, "a").userId).toBe("a");
    expect(pickAssignee("specific", team, lead, now, rnd, "zz").reason).toMatch(/not a member/);
  });

  it("weighted follows the weights", () => {
    const team = [rep("a", { weight: 3 }), rep("b", { weight: 1 })];
    const random = seededRandom(42);
    let a = 0;
    for (let i = 0; i < 4000; i++) if (pickAssignee("weighted", team, lead, now, random).userId === "a") a++;
    expect(a / 4000).toBeGreaterThan(0.72);
    expect(a / 4000).toBeLessThan(0.78);
  });
});

describe("ruleMatches", () => {
  it("needs every given condition", () => {
    expect(ruleMatches({}, lead)).toBe(true);
    expect(ruleMatches({ minScore: 40, territories: ["eu"], sources: ["api", "chat"] }, lead)).toBe(true);
    expect(ruleMatches({ minScore: 60 }, lead)).toBe(false);
    expect(ruleMatches({ languages: ["en"] }, lead)).toBe(false);
    expect(ruleMatches({ products: ["crm"] }, { ...lead, product: null })).toBe(false);
  });
});
