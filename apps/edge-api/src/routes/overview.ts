import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { OVERVIEW_COUNT_CAP, workspaceOverview } from "../domain/overview.js";
import { allows } from "../domain/principal.js";
import type { AppEnv } from "../env.js";
import { authenticate } from "../http/auth.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { errors, jsonResponse } from "./schemas.js";

export const overviewRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const count = z
  .number()
  .int()
  .min(0)
  .max(OVERVIEW_COUNT_CAP)
  .openapi({ description: `Counted up to ${OVERVIEW_COUNT_CAP}` });

const overviewSchema = z
  .object({
    setup: z.object({
      knowledge: z.boolean().openapi({ description: "A knowledge source exists" }),
      playbooks: z.boolean().openapi({ description: "A route (playbook) exists" }),
      widget: z.boolean().nullable().openapi({
        description: "A widget key exists; null when the caller may not see widget keys (below admin)",
      }),
    }),
    waitingConversations: count,
    newLeads: count,
    openDeals: count,
  })
  .openapi("Overview");

overviewRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/overview",
    tags: ["Workspace"],
    summary: "The home screen in one call: set-up steps done, conversations waiting, new leads, open deals",
    middleware: [authenticate, limitByPrincipal] as const,
    responses: { 200: jsonResponse(overviewSchema, "The overview"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    return c.json(
      await workspaceOverview(c.get("db"), p.tenantId, { widgetKeys: allows(p, "admin", "read") }),
      200,
    );
  },
);
