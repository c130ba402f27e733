import { describe, expect, it } from "vitest";
import { canMoveLead, statusForScore } from "./status.js";

const t = { qualifying: 10, mql: 40, sql: 70 };

describe("statusForScore", () => {
  it("moves a lead forward at each threshold", () => {
    expect(statusForScore("new", 9, t)).toBe("new");
    expect(statusForScore("new", 10, t)).toBe("qualifying");
    expect(statusForScore("new", 40, t)).toBe("mql");
    expect(statusForScore("qualifying", 69, t)).toBe("mql");
    expect(statusForScore("mql", 70, t)).toBe("sql");
  });
  it("never demotes, and leaves converted and disqualified leads alone", () => {
    expect(statusForScore("sql", 5, t)).toBe("sql");
    expect(statusForScore("disqualified", 99, t)).toBe("disqualified");
    expect(statusForScore("converted", 0, t)).toBe("converted");
  });
  it("closed leads cannot be reopened by hand", () => {
    expect(canMoveLead("mql", "disqualified")).toBe(true);
    expect(canMoveLead("disqualified", "new")).toBe(false);
  });
});
