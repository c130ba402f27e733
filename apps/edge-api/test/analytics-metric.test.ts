import { withTenant } from "@autopilot/db";
import { afterAll, describe, expect, it } from "vitest";
import { metricQuerySchema, runMetric } from "../src/analytics/reports/metric.js";
import { deliver, ev, setTimeZone } from "./analytics-helpers.js";
import { ownerDb, signup } from "./helpers.js";

// analytics.query, what report plugins read (issue 19): one metric by dimensions over the rollups, in
// the workspace's time zone, filtered, for that workspace only; a wrong query names its field.

const db = ownerDb();
afterAll(async () => {
  await db.end();
});

const sent = (tenantId: string, time: string, sender: "bot" | "agent", seconds: number) =>
  ev(
    tenantId,
    "message.sent",
    time,
    { channel: "web", sender, agentId: null, responseSeconds: seconds },
    { conversation: crypto.randomUUID() },
  );

const query = (tenantId: string, tz: string, q: unknown) =>
  withTenant(db, tenantId, (tx) => runMetric(tx, tenantId, tz, metricQuerySchema.parse(q)));

describe("metric queries over rollups", () => {
  it("split by local hour of the week, by period and by dimension, filtered, one workspace only", async () => {
    const s = await signup("Metric Co");
    const other = await signup("Metric Other");
    await setTimeZone(s.tenantId, "America/New_York");
    // 2026-11-02 is a Monday; 14:10 UTC is 09:10 in New York (EST, UTC-5).
    await deliver([
      sent(s.tenantId, "2026-11-02T14:10:00Z", "agent", 30),
      sent(s.tenantId, "2026-11-02T14:50:00Z", "agent", 90),
      sent(s.tenantId, "2026-11-06T22:05:00Z", "agent", 600), // Friday 17:05 local
      sent(s.tenantId, "2026-11-02T14:20:00Z", "bot", 1),
      // Sunday 23:30 local is Monday 04:30 UTC: it counts on the local Sunday.
      sent(s.tenantId, "2026-11-09T04:30:00Z", "agent", 60),
      sent(other.tenantId, "2026-11-02T14:10:00Z", "agent", 5000),
    ]);
    const tz = "America/New_York";
    const base = { metric: "message.sent", from: "2026-11-01", to: "2026-11-30" };
    expect(
      await query(s.tenantId, tz, {
        ...base,
        measure: "avg",
        dimensions: ["hour_of_week"],
        filters: { detail: "agent" },
      }),
    ).toEqual([
      { hour_of_week: "1-09", value: 60 },
      { hour_of_week: "5-17", value: 600 },
      { hour_of_week: "7-23", value: 60 },
    ]);
    expect(await query(s.tenantId, tz, { ...base, dimensions: ["detail"] })).toEqual([
      { detail: "agent", value: 4 },
      { detail: "bot", value: 1 },
    ]);
    // Weeks start on Monday: the local Sunday belongs to the week of 2026-11-02.
    expect(
      await query(s.tenantId, tz, { ...base, measure: "sum", dimensions: ["period"], groupBy: "week" }),
    ).toEqual([{ period: "2026-11-02", value: 30 + 90 + 600 + 1 + 60 }]);
    // A day range that ends before the local Sunday leaves it out.
    expect(await query(s.tenantId, tz, { ...base, to: "2026-11-07", dimensions: [] })).toEqual([
      { value: 4 },
    ]);
    expect(
      await query(other.tenantId, "UTC", { ...base, measure: "max" }).catch((e) => e.issues?.[0]?.path),
    ).toEqual(["measure"]);
  });
});
