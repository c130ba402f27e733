import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { forecast } from "../domain/deals/forecast.js";
import type { AppEnv } from "../env.js";
import { authenticate } from "../http/auth.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { currency } from "./deal-schemas.js";
import { errors, jsonResponse } from "./schemas.js";

// The sales forecast: weighted pipeline by month and owner, win rate, velocity.

export const forecastRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const _tags = ["Pipelines and deals"];
const auth = [authenticate, limitByPrincipal] as const;

const cellSchema = z.object({
  month: z.string().nullable(),
  ownerId: z.string().nullable(),
  pipeline: z.number(),
  bestCase: z.number(),
  commit: z.number(),
  closedWon: z.number(),
  weighted: z.number(),
  openDeals: z.number(),
  wonDeals: z.number(),
});
const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "YYYY-MM");

forecastRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/forecast",
    tags: ["Forecast"],
    summary:
      "Weighted forecast by close month and owner (pipeline / best case / commit / closed won), win rate by stage, sales velocity",
    middleware: [...auth] as const,
    request: {
      query: z.object({
        pipelineId: z.uuid().optional(),
        currency: currency.default("USD").transform((v) => v.toUpperCase()),
        from: month.optional(),
        to: month.optional(),
      }),
    },
    responses: {
      200: jsonResponse(
        z
          .object({
            currency: z.string(),
            cells: z.array(cellSchema),
            totals: cellSchema.omit({ month: true, ownerId: true }),
            winRateByStage: z.array(
              z.object({
                stageId: z.string(),
                won: z.number(),
                lost: z.number(),
                winRate: z.number().nullable(),
              }),
            ),
            velocity: z.object({
              averageDealSize: z.number(),
              winRate: z.number(),
              averageCycleDays: z.number(),
              perDay: z.number(),
            }),
          })
          .openapi("Forecast"),
        "Forecast",
      ),
      ...errors,
    },
  }),
  async (c) => c.json(await forecast(c.get("db"), c.get("principal").tenantId, c.req.valid("query")), 200),
);
