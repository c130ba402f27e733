import { type Database, lookups, pluginCalls, withTenant } from "@autopilot/db";
import { and, desc, eq, lt, sql } from "drizzle-orm";
import type { Logger } from "../lib/log.js";
import { getInstall } from "./installs.js";

// What plugins did: every call (kind, name, outcome, time taken, the lines it logged), for a
// workspace's admins, kept CALL_RETENTION_DAYS.

export const CALL_RETENTION_DAYS = 14;

export type CallView = {
  id: string;
  kind: string;
  name: string | null;
  ok: boolean;
  code: string | null;
  error: string | null;
  ms: number;
  logs: unknown[];
  createdAt: string;
};

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
