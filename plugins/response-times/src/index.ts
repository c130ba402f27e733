import { definePlugin, type MetricRow } from "@autopilot/sdk";

// Two reports a sales lead asks for and the built-in screens do not answer: when in the week replies
// are slow (average first-response seconds by local weekday and hour), and where leads come from
// month by month. Both read the workspace's rollups through analytics:read, nothing else.

const DAYS = ["", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

const range = {
  type: "object",
  required: ["from", "to"],
  properties: {
    from: { type: "string", format: "date", title: "From" },
    to: { type: "string", format: "date", title: "To" },
  },
} as const;

export default definePlugin({
  manifest: {
    id: "autopilot/response-times",
    name: "Response times and lead sources",
    version: "1.0.0",
    engine: "^1.1.0",
    description: "Average reply time by hour of the week, and new leads by source and month.",
    kinds: ["report"],
    permissions: ["analytics:read"],
    reports: [
      {
        id: "response_by_hour",
        title: "Reply time by hour of the week",
        parameters: {
          ...range,
          properties: {
            ...range.properties,
            sender: { type: "string", enum: ["agent", "bot"], title: "Replies by", default: "agent" },
          },
        },
      },
      { id: "leads_by_source", title: "New leads by source and month", parameters: range },
    ],
  },
  reports: {
    async response_by_hour(parameters, ctx) {
      const p = parameters as { from: string; to: string; sender?: "agent" | "bot" };
      const query = {
        metric: "message.sent",
        dimensions: ["weekday", "hour"] as ("weekday" | "hour")[],
        from: p.from,
        to: p.to,
        filters: { detail: p.sender ?? "agent" },
      };
      const [avg, count] = await Promise.all([
        ctx.analytics.query({ ...query, measure: "avg" }),
        ctx.analytics.query({ ...query, measure: "count" }),
      ]);
      const replies = new Map(count.rows.map((r) => [`${r.weekday}-${r.hour}`, r.value ?? 0]));
      return {
        rows: avg.rows.map((r: MetricRow) => ({
          slot: `${DAYS[Number(r.weekday)]} ${String(r.hour).padStart(2, "0")}:00`,
          avgSeconds: r.value === null ? null : Math.round(r.value),
          replies: replies.get(`${r.weekday}-${r.hour}`) ?? 0,
        })),
        chart: { type: "bar", x: "slot", y: ["avgSeconds"] },
      };
    },
    async leads_by_source(parameters, ctx) {
      const p = parameters as { from: string; to: string };
      const { rows } = await ctx.analytics.query({
        metric: "lead.created",
        dimensions: ["period", "detail"],
        groupBy: "month",
        from: p.from,
        to: p.to,
      });
      const sources = [...new Set(rows.map((r) => String(r.detail || "unknown")))].sort();
      const months = new Map<string, Record<string, string | number>>();
      for (const r of rows) {
        const month = String(r.period).slice(0, 7);
        const row = months.get(month) ?? { month, ...Object.fromEntries(sources.map((s) => [s, 0])) };
        row[String(r.detail || "unknown")] = Number(r.value ?? 0);
        months.set(month, row);
      }
      return {
        rows: [...months.values()],
        chart: sources.length ? { type: "line", x: "month", y: sources.slice(0, 6) } : undefined,
      };
    },
  },
});
