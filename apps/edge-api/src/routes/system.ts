import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.js";
import { validationHook } from "../http/validation.js";
import { jsonResponse } from "./schemas.js";

export const systemRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["System"];

systemRoutes.openapi(
  createRoute({
    method: "get",
    path: "/health",
    tags,
    summary: "Readiness: the worker and its database answer",
    responses: {
      200: jsonResponse(z.object({ status: z.literal("ok"), database: z.literal("ok") }), "Healthy"),
      503: jsonResponse(
        z.object({ status: z.literal("degraded"), database: z.literal("down") }),
        "Database down",
      ),
    },
  }),
  async (c) => {
    try {
      await c.get("db").query("select 1");
      return c.json({ status: "ok" as const, database: "ok" as const }, 200);
    } catch (error) {
      c.get("log").error("health check failed", { error: String(error) });
      return c.json({ status: "degraded" as const, database: "down" as const }, 503);
    }
  },
);

// Liveness without I/O: what the benchmark compares authenticated requests against.
systemRoutes.get("/health/live", (c) => c.json({ status: "ok" }));
