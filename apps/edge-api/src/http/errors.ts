import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../env.js";

/** The one error type handlers throw; mapped to `{error:{code,message,details?}}`. */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }
}

export const notFound = (what = "resource") => new AppError(404, "not_found", `${what} not found`);

export const errorBodySchema = z
  .object({
    error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
  })
  .openapi("Error");

/** zod issues → a 400 whose message names the first wrong field. */
export function validationError(error: z.ZodError, where: string): AppError {
  const issues = error.issues.map((i) => ({
    field: [where, ...i.path.map(String)].filter(Boolean).join("."),
    code: i.code,
    message: i.message,
  }));
  const first = issues[0];
  return new AppError(
    400,
    "invalid_request",
    first ? `${first.field}: ${first.message}` : "invalid request",
    {
      issues,
    },
  );
}

export function toErrorResponse(err: unknown, c: Context<AppEnv>): Response {
  if (err instanceof AppError) {
    return c.json(
      { error: { code: err.code, message: err.message, details: err.details } },
      err.status,
      err.headers,
    );
  }
  if (err instanceof HTTPException) {
    // Hono raises these for malformed JSON bodies and the like.
    const status = err.status;
    const code = status === 400 ? "malformed_request" : `http_${status}`;
    return c.json(
      { error: { code, message: err.message || "request failed" } },
      status as ContentfulStatusCode,
    );
  }
  c.get("log")?.error("unhandled error", {
    error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
  });
  return c.json(
    { error: { code: "internal", message: "internal error", details: { requestId: c.get("requestId") } } },
    500,
  );
}
