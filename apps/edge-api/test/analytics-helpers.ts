import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import { withTenant } from "@autopilot/db";
import { foldEvents } from "../src/analytics/fold.js";
import worker from "../src/index.js";
import { ownerDb } from "./helpers.js";

let seq = 0;

/** A v1 event envelope (properties and subjects are the caller's). */
export function ev(
  tenantId: string,
  type: string,
  time: string,
  properties: Record<string, unknown>,
  subjects: Record<string, string> = {},
  id: string = crypto.randomUUID(),
) {
  return { id, tenantId, time, actor: { type: "system", id: null }, subjects, type, version: 1, properties };
}

/** Delivers bodies to the worker's queue handler as one Queue batch and returns its ack/retry result. */
export async function deliver(bodies: unknown[], queue = "events", bindings: Cloudflare.Env = env) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body) => ({
      id: `msg-${seq++}-${crypto.randomUUID().slice(0, 8)}`,
      timestamp: new Date(),
      attempts: 1,
      body,
    })),
  );
  const ctx = createExecutionContext();
  await (worker.queue as ExportedHandlerQueueHandler<Cloudflare.Env>)(batch, bindings, ctx);
  return getQueueResult(batch, ctx);
}

/** Runs a query as the owner (bypassing RLS) to inspect state. */
export async function inspect<R extends Record<string, unknown>>(text: string, params: unknown[] = []) {
  const db = ownerDb();
  try {
    return await db.query<R>(text, params);
  } finally {
    await db.end();
  }
}

export async function setTimeZone(tenantId: string, timeZone: string) {
  await inspect("update tenants set time_zone = $2 where id = $1", [tenantId, timeZone]);
}

/** Folds the tenant's new events into the rollups (what the cron and every report do first). */
export async function fold(tenantId: string): Promise<number> {
  const db = ownerDb();
  try {
    return await withTenant(db, tenantId, (tx) => foldEvents(tx, tenantId));
  } finally {
    await db.end();
  }
}
