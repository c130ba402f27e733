import { type Database, idempotencyKeys, lookups, withTenant } from "@autopilot/db";
import { and, eq, sql } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { AppError } from "../domain/errors.js";
import type { AppEnv } from "../env.js";
import { sha256Hex } from "../lib/crypto.js";
import type { Logger } from "../lib/log.js";

/**
 * `Idempotency-Key` on creating POSTs: the first request claims the key; a retry with the same body
 * gets the stored response, one with another body gets 409. The claim row is written before the
 * handler runs, so two concurrent retries cannot both create.
 */
export const idempotent: MiddlewareHandler<AppEnv> = async (c, next) => {
  const key = c.req.header("idempotency-key");
  if (!key) return next();
  if (key.length > 255) throw new AppError("invalid_request", "Idempotency-Key: at most 255 characters");
  const db = c.get("db");
  const { tenantId } = c.get("principal");
  const route = `${c.req.method} ${c.req.path}`;
  const requestHash = await sha256Hex(`${route}\n${await c.req.raw.clone().text()}`);

  const claimed = await withTenant(db, tenantId, async (tx) => {
    const inserted = await tx
      .insert(idempotencyKeys)
      .values({ tenantId, key, route, requestHash })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (inserted.length > 0) return null;
    const [row] = await tx
      .select()
      .from(idempotencyKeys)
      .where(and(eq(idempotencyKeys.key, key), sql`true`));
    return row ?? null;
  });

  if (claimed) {
    if (claimed.requestHash !== requestHash) {
      throw new AppError("idempotency_conflict", "Idempotency-Key was already used with a different request");
    }
    if (claimed.responseStatus === null) {
      throw new AppError("idempotency_in_progress", "a request with this Idempotency-Key is still running");
    }
    c.header("Idempotent-Replayed", "true");
    return c.json(claimed.responseBody as object, claimed.responseStatus as 200);
  }

  await next();
  const status = c.res.status;
  await withTenant(db, tenantId, async (tx) => {
    const where = eq(idempotencyKeys.key, key);
    if (status >= 500) {
      // Not a final answer: free the key so the client can retry.
      await tx.delete(idempotencyKeys).where(where);
      return;
    }
    const body = await c.res
      .clone()
      .json()
      .catch(() => null);
    await tx.update(idempotencyKeys).set({ responseStatus: status, responseBody: body }).where(where);
  });
};

/**
 * How long a key answers retries. A client retries within minutes or hours and a conversation's
 * alarm retries its action within minutes; a week later the same key is a new request.
 */
export const IDEMPOTENCY_KEY_RETENTION_DAYS = 7;

/**
 * The cron's sweep: deletes keys older than `days` (HTTP and conversation-action keys alike, finished
 * or left unfinished by a request that died), per tenant under row-level security, in bounded chunks.
 */
export async function pruneIdempotencyKeys(
  db: Database,
  log: Logger,
  days = IDEMPOTENCY_KEY_RETENTION_DAYS,
  maxTenants = 200,
  chunk = 5000,
): Promise<number> {
  const due = await lookups.idempotencyKeysDue(db, days, maxTenants);
  let deleted = 0;
  for (const { tenant_id: tenantId } of due) {
    const res = await withTenant(db, tenantId, (tx) =>
      tx.execute(sql`
        delete from idempotency_keys where (tenant_id, key) in (
          select tenant_id, key from idempotency_keys
          where tenant_id = ${tenantId}::uuid and created_at < now() - make_interval(days => ${days})
          limit ${chunk})`),
    );
    deleted += res.rowCount ?? 0;
  }
  if (deleted > 0) log.info("idempotency keys pruned", { tenants: due.length, deleted });
  return deleted;
}
