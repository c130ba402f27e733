import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { csvStream } from "../analytics/reports/csv.js";
import { REPORTS, type ReportName } from "../analytics/reports/index.js";
import { reportQuerySchema } from "../analytics/reports/query.js";
import { runReport } from "../analytics/reports/run.js";
import type { AppEnv } from "../env.js";
import { authenticate } from "../http/auth.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { errors, jsonResponse } from "./schemas.js";

export const reportRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const reportSchema = z
  .object({
    report: z.string(),
    from: z.string(),
    to: z.string(),
    timeZone: z.string(),
    groupBy: z.enum(["day", "week", "month"]),
    rows: z.array(z.record(z.string(), z.union([z.string(), z.number(), z.null()]))),
  })
  .passthrough()
  .openapi("Report");

for (const name of Object.keys(REPORTS) as ReportName[]) {
  reportRoutes.openapi(
    createRoute({
      method: "get",
      path: `/v1/reports/${name}`,
      tags: ["Reports"],
      summary: REPORTS[name].summary,
      description:
        "Dates are days in the tenant's time zone (both inclusive); `format=csv` streams the rows as CSV. " +
        "With an API key, a change of the tenant's time zone applies within 60 s (the key's cache).",
      middleware: [authenticate, limitByPrincipal] as const,
      request: { query: reportQuerySchema },
      responses: {
        200: {
          ...jsonResponse(reportSchema, "The report"),
          content: { ...jsonResponse(reportSchema, "").content, "text/csv": { schema: z.string() } },
        },
        ...errors,
      },
    }),
    // biome-ignore lint/suspicious/noExplicitAny: JSON or a CSV stream from one handler.
    async (c): Promise<any> => {
      const p = c.get("principal");
      const q = c.req.valid("query");
      const result = await runReport(c.get("db"), p.tenantId, p.timeZone, name, q);
      if (q.format === "csv") {
        return new Response(csvStream(result.rows), {
          headers: {
            "content-type": "text/csv; charset=utf-8",
            "content-disposition": `attachment; filename="${name}-${q.from}-${q.to}.csv"`,
          },
        });
      }
      return c.json(
        { report: name, from: q.from, to: q.to, timeZone: p.timeZone, groupBy: q.groupBy, ...result },
        200,
      );
    },
  );
}
