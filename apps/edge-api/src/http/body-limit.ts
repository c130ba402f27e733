import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../domain/errors.js";
import type { AppEnv } from "../env.js";

// Every request body has a cap, decided here for all routes: JSON bodies are small; the few routes that
// take a larger document say so below; uploads and imports stream their bodies and enforce their own
// (configurable) limits while reading, so they are left to that.

const KIB = 1024;
export const DEFAULT_BODY_LIMIT = 256 * KIB;

/** [method, path pattern, cap in bytes or "streamed" (the route enforces its own)] — first match wins. */
const LIMITS: [string, RegExp, number | "streamed"][] = [
  ["POST", /^\/v1\/leads\/import$/, "streamed"],
  ["POST", /^\/v1\/knowledge\/(documents|catalogues)$/, "streamed"],
  ["PUT", /^\/v1\/knowledge\/(documents|catalogues)\/[^/]+$/, "streamed"],
  // FAQ sources with many pairs, and whole playbooks.
  ["POST", /^\/v1\/knowledge\/sources$/, 2048 * KIB],
  // A packed plugin: its bundle (at most 1 MB) escaped inside JSON, with its manifest and README.
  ["POST", /^\/v1\/plugins\/(inspect|installs)$/, 3072 * KIB],
  ["PUT", /^\/v1\/plugins\/installs\/[^/]+\/version$/, 3072 * KIB],
  ["POST", /^\/v1\/developer\/versions$/, 3072 * KIB],
  ["POST", /^\/v1\/routes$/, 1024 * KIB],
  ["PUT", /^\/v1\/routes\/[^/]+$/, 1024 * KIB],
];

export function bodyLimitFor(method: string, path: string): number | "streamed" {
  for (const [m, pattern, limit] of LIMITS) if (m === method && pattern.test(path)) return limit;
  return DEFAULT_BODY_LIMIT;
}

const limiters = new Map<number, MiddlewareHandler<AppEnv>>();
const limiter = (maxSize: number) => {
  let handler = limiters.get(maxSize);
  if (!handler) {
    handler = bodyLimit({
      maxSize,
      onError: () => {
        throw new AppError("too_large", `body: at most ${maxSize} bytes`);
      },
    });
    limiters.set(maxSize, handler);
  }
  return handler;
};

export const limitBodies: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (c.req.method === "GET" || c.req.method === "HEAD") return next();
  const limit = bodyLimitFor(c.req.method, c.req.path);
  if (limit === "streamed") return next();
  return limiter(limit)(c, next);
};
