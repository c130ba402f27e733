import { isDatabaseUnavailable, pgErrorInfo } from "@autopilot/db";
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError } from "../domain/errors.js";
import type { AppEnv } from "../env.js";

/** The database is down or not answering: come back shortly (what can be served from caches still is). */
export const unavailable = () =>
  new AppError("unavailable", "the service is briefly unavailable, retry shortly", undefined, 5);

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
  return new AppError("invalid_request", first ? `${first.field}: ${first.message}` : "invalid request", {
    issues,
  });
}

export function toErrorResponse(err: unknown, c: Context<AppEnv>): Response {
  if (err instanceof AppError) {
    const headers =
      err.retryAfterSeconds === undefined ? undefined : { "Retry-After": String(err.retryAfterSeconds) };
    // A refusal naming a field carries it as data, like the validation issues do.
    const field = err.field;
    const details =
      err.details ??
      (field ? { issues: [{ field, message: err.message.slice(field.length + 2) }] } : undefined);
    return c.json(
      { error: { code: err.code, message: err.message, details } },
      err.status as ContentfulStatusCode,
      headers,
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
  if (isDatabaseUnavailable(err)) {
    c.get("log")?.warn("database unavailable", { error: err instanceof Error ? err.message : String(err) });
    return toErrorResponse(unavailable(), c);
  }
  const mapped = fromDatabaseError(err);
  if (mapped) return toErrorResponse(mapped, c);
  c.get("log")?.error("unhandled error", {
    error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err),
  });
  return c.json(
    { error: { code: "internal", message: "internal error", details: { requestId: c.get("requestId") } } },
    500,
  );
}

/** "owner_id" → "ownerId": a column as the API names its field. */
const fieldOf = (column: string) => column.replace(/_([a-z])/g, (_, ch: string) => ch.toUpperCase());

/**
 * The one mapping of what the database refuses to what the caller did wrong. References are composite
 * (tenant_id, id) foreign keys, so an id that does not exist and another workspace's id fail alike and
 * get the same answer, naming the field.
 */
export function fromDatabaseError(err: unknown): AppError | null {
  const pg = pgErrorInfo(err);
  if (!pg) {
    // drizzle refuses an UPDATE with nothing to set before it reaches the database.
    if (err instanceof Error && /no values to set/i.test(err.message))
      return new AppError("invalid_request", "body: nothing to update");
    return null;
  }
  // The column: from the detail when the role may see it, else from drizzle's constraint name
  // (`<table>_tenant_id_<column>_<other table>_…_fk`, composite references all start with tenant_id).
  const columns =
    /^Key \(([^)]*)\)/
      .exec(pg.detail ?? "")?.[1]
      ?.split(",")
      .map((x) => x.trim()) ?? [];
  const column =
    columns.filter((x) => x !== "tenant_id").at(-1) ??
    /_tenant_id_([a-z0-9]+(?:_[a-z0-9]+)*?_id)_/.exec(pg.constraint ?? "")?.[1] ??
    pg.column;
  const field = column ? fieldOf(column) : "body";
  switch (pg.code) {
    case "23503":
      return /still referenced/.test(pg.detail ?? "")
        ? new AppError("in_use", `${field}: still used by other records`)
        : new AppError("invalid_reference", `${field}: not found`);
    case "23505":
      return new AppError("conflict", `${field}: already exists`);
    case "23502":
      return new AppError("invalid_request", `${field}: is required`);
    case "23514":
      return new AppError("invalid_request", `${field}: is not allowed (${pg.constraint ?? "check"})`);
    case "22001":
      return new AppError("invalid_request", `${field}: is too long`);
    case "22P02":
    case "22003":
    case "22007":
    case "22008":
      return new AppError("invalid_request", `${field}: is not a valid value`);
    case "22021":
    case "22P05":
      return new AppError("invalid_request", `${field}: contains a character that cannot be stored`);
    default:
      return null;
  }
}
