import { describe, expect, it } from "vitest";
import { extractDate, resolveDateBound } from "./date.js";

// Friday 14 March 2025, 10:00 in New York.
const ctx = { now: new Date("2025-03-14T14:00:00Z"), timeZone: "America/New_York" };

describe("extractDate", () => {
  it.each([
    ["today", "2025-03-14"],
    ["tomorrow please", "2025-03-15"],
    ["the day after tomorrow", "2025-03-16"],
    ["next Tuesday", "2025-03-18"],
    ["on friday", "2025-03-21"],
    ["in 3 days", "2025-03-17"],
    ["in two weeks", "2025-03-28"],
    ["end of next month", "2025-04-30"],
    ["end of the month", "2025-03-31"],
    ["start of next month", "2025-04-01"],
    ["next week", "2025-03-17"],
    ["2025-12-01", "2025-12-01"],
    ["March 5th", "2026-03-05"],
    ["5 April", "2025-04-05"],
    ["the 3rd of may 2027", "2027-05-03"],
    ["14/04/2025", "2025-04-14"],
  ] as const)("%s → %s", (text, iso) => {
    expect(extractDate(text, ctx)).toEqual({ ok: true, value: iso });
  });
  it("reads numeric dates in the country's order", () => {
    expect(extractDate("03/04/2025", { ...ctx, defaultCountry: "US" })).toEqual({
      ok: true,
      value: "2025-03-04",
    });
    expect(extractDate("03/04/2025", { ...ctx, defaultCountry: "GB" })).toEqual({
      ok: true,
      value: "2025-04-03",
    });
  });
  it("resolves relative dates in the tenant's time zone", () => {
    // 23:30 UTC on the 14th is already the 15th in Tokyo.
    const late = new Date("2025-03-14T23:30:00Z");
    expect(extractDate("tomorrow", { now: late, timeZone: "Asia/Tokyo" })).toEqual({
      ok: true,
      value: "2025-03-16",
    });
    expect(extractDate("tomorrow", { now: late, timeZone: "America/Los_Angeles" })).toEqual({
      ok: true,
      value: "2025-03-15",
    });
  });
  it("rejects impossible and missing dates", () => {
    expect(extractDate("31 February 2025", ctx)).toEqual({ ok: false, reason: "invalid" });
    expect(extractDate("2025-13-40", ctx)).toEqual({ ok: false, reason: "invalid" });
    expect(extractDate("whenever", ctx)).toEqual({ ok: false, reason: "not_found" });
  });
  it("resolves validation bounds", () => {
    expect(resolveDateBound("today", ctx)).toBe("2025-03-14");
    expect(resolveDateBound("+30d", ctx)).toBe("2025-04-13");
    expect(resolveDateBound("-18y", ctx)).toBe("2007-03-14");
  });
});
