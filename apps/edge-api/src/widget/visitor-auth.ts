import type { MiddlewareHandler } from "hono";
import { AppError } from "../domain/errors.js";
import type { AppEnv } from "../env.js";
import { verifyVisitorToken } from "./visitor-token.js";

/** Widget calls carry the visitor token as a Bearer header, or `?token=` where headers cannot go (WebSocket). */
export const authenticateVisitor: MiddlewareHandler<AppEnv> = async (c, next) => {
  const header = c.req.header("authorization");
  const token = header ? /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim() : c.req.query("token");
  if (!token) throw new AppError("unauthorized", "visitor token required");
  const claims = await verifyVisitorToken(c.env.VISITOR_TOKEN_SECRET, token);
  if (!claims) throw new AppError("unauthorized", "invalid or expired visitor token");
  c.set("visitor", claims);
  return next();
};
