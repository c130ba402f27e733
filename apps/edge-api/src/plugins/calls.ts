import { type Database, lookups, pluginCalls, pluginInstalls, withTenant } from "@autopilot/db";
import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { Logger } from "../lib/log.js";
import { getInstall, type InstallRecord } from "./installs.js";

// What plugins did: every call (kind, name, outcome, time taken, the lines it logged), for a
// workspace's admins, kept CALL_RETENTION_DAYS.

export const CALL_RETENTION_DAYS = 14;

/** One call as the host records it. */
export type CallRecord = {
  kind: string;
  name: string | null;
  ok: boolean;
  code: string | null;
  error: string | null;
  ms: number;
  logs: unknown[];
};

export type CallView = CallRecord & { id: string; createdAt: string };

export async function listCalls(
  db: Database,
  tenantId: string,
  installId: string,
  limit: number,
): Promise<CallView[]> {
  await getInstall(db, tenantId, installId);
  const rows = await withTenant(db, tenantId, (tx) =>
    tx
      .select()
      .from(pluginCalls)
      .where(eq(pluginCalls.installId, installId))
      .orderBy(desc(pluginCalls.createdAt))
      .limit(limit),
  );
  return rows.map((r) => ({
    id: r.id,
    kind: r.kind,
    name: r.name,
    ok: r.ok === 1,
    code: r.code,
    error: r.error,
    ms: r.ms,
    logs: Array.isArray(r.logs) ? r.logs : [],
    createdAt: r.createdAt.toISOString(),
  }));
}

/** The hourly sweep: calls past the retention go, workspace by workspace. */
export async function prunePluginCalls(db: Database, log: Logger): Promise<number> {
  let removed = 0;
  for (const tenantId of await lookups.pluginCallsDue(db, CALL_RETENTION_DAYS, 500)) {
    const gone = await withTenant(db, tenantId, (tx) =>
      tx
        .delete(pluginCalls)
        .where(
          and(
            eq(pluginCalls.tenantId, tenantId),
            lt(pluginCalls.createdAt, sql`now() - make_interval(days => ${CALL_RETENTION_DAYS})`),
          ),
        )
        .returning({ id: pluginCalls.id }),
    );
    removed += gone.length;
  }
  if (removed) log.info("plugin calls pruned", { removed });
  return removed;
}

/**
 * Counts a call's outcome: a success resets the failures, a failure adds one; at `pauseAfter` in a
 * row the install is paused with the reason. Returns true when this failure paused it.
 */

export async function recordOutcome(
  db: Database,
  install: InstallRecord,
  failure: string | null,
  pauseAfter: number,
  call?: CallRecord,
): Promise<boolean> {
  return withTenant(db, install.tenantId, async (tx) => {
    // The call, for the admins' view of what the plugin did (kept CALL_RETENTION_DAYS).
    if (call)
      await tx.insert(pluginCalls).values({
        tenantId: install.tenantId,
        installId: install.id,
        kind: call.kind,
        name: call.name?.slice(0, 200) ?? null,
        ok: call.ok ? 1 : 0,
        code: call.code,
        error: call.error?.slice(0, 1000) ?? null,
        ms: Math.round(call.ms),
        logs: call.logs,
      });
    if (!failure) {
      await tx
        .update(pluginInstalls)
        .set({ consecutiveFailures: 0 })
        .where(and(eq(pluginInstalls.id, install.id), sql`${pluginInstalls.consecutiveFailures} <> 0`));
      return false;
    }
    const [row] = await tx
      .update(pluginInstalls)
      .set({ consecutiveFailures: sql`${pluginInstalls.consecutiveFailures} + 1`, updatedAt: sql`now()` })
      .where(eq(pluginInstalls.id, install.id))
      .returning({ failures: pluginInstalls.consecutiveFailures, status: pluginInstalls.status });
    if (row?.status !== "active" || row.failures < pauseAfter) return false;
    await tx
      .update(pluginInstalls)
      .set({
        status: "paused",
        pausedReason: `${row.failures} failures in a row; the last: ${failure}`.slice(0, 500),
      })
      .where(eq(pluginInstalls.id, install.id));
    return true;
  });
}
