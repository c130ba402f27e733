import { type Database, routerModels, tenants, withTenant } from "@autopilot/db";
import { desc, eq } from "drizzle-orm";
import { type AiSettingsRow, loadAiSettings } from "../ai/tenant-provider.js";
import { loadSnapshot, type RoutesSnapshot } from "../route-config/snapshot.js";

// What a conversation needs from Postgres when it starts: the tenant's name and time zone, its latest
// routes snapshot and its AI settings. Cached per isolate and tenant, so a burst of new conversations
// does not become a burst of transactions (the compiled router is the heavy part):
// - the routes version is checked on every start (a conversation that starts after a routes change
//   gets the new version), but concurrent starts share one check: a start waits for a check issued
//   after it arrived, so at most one runs and one waits per tenant;
// - the snapshot is read again only when the version moved; the AI settings on every check (a key or
//   budget change applies to the next conversation);
// - the tenant's name and time zone are kept for a minute.

export type StartConfig = {
  tenant: { name: string; timeZone: string };
  snapshot: RoutesSnapshot;
  ai: AiSettingsRow | null;
};

/** Runs `fn` with a database handle (the DO's, holding one of its connection slots). */
export type WithDb = <T>(fn: (db: Database) => Promise<T>) => Promise<T>;

const SETTINGS_TTL_MS = 60_000;
const MAX_TENANTS = 1000;

type Entry = {
  config: StartConfig | null;
  settingsAt: number;
  inflight: Promise<StartConfig> | null;
  queued: Promise<StartConfig> | null;
};

const cache = new Map<string, Entry>();

/** The tenant's start configuration, or null when the tenant does not exist. */
export function startConfig(tenantId: string, withDb: WithDb): Promise<StartConfig | null> {
  let entry = cache.get(tenantId);
  if (!entry) {
    if (cache.size >= MAX_TENANTS) cache.delete(cache.keys().next().value as string);
    entry = { config: null, settingsAt: 0, inflight: null, queued: null };
    cache.set(tenantId, entry);
  }
  return check(tenantId, entry, withDb).catch((error) => {
    if (error instanceof TenantMissing) return null;
    throw error;
  });
}

class TenantMissing extends Error {}

function check(tenantId: string, e: Entry, withDb: WithDb): Promise<StartConfig> {
  if (!e.inflight) {
    e.inflight = refresh(tenantId, e, withDb).finally(() => {
      e.inflight = null;
    });
    return e.inflight;
  }
  // A check is running, but it began before this start arrived: wait for the next one.
  e.queued ??= e.inflight
    .catch(() => undefined)
    .then(() => {
      e.queued = null;
      return check(tenantId, e, withDb);
    });
  return e.queued;
}

/** One short tenant transaction: the latest version and AI settings always, the rest only when stale. */
async function refresh(tenantId: string, e: Entry, withDb: WithDb): Promise<StartConfig> {
  const now = Date.now();
  const known = e.config;
  const settingsFresh = known !== null && now - e.settingsAt < SETTINGS_TTL_MS;
  const config = await withDb((db) =>
    withTenant(db, tenantId, async (tx) => {
      const [latest] = await tx
        .select({ version: routerModels.version })
        .from(routerModels)
        .where(eq(routerModels.tenantId, tenantId))
        .orderBy(desc(routerModels.version))
        .limit(1);
      const version = latest?.version ?? 0;
      const snapshot =
        known && known.snapshot.version === version ? known.snapshot : await loadSnapshot(tx, tenantId);
      const ai = await loadAiSettings(tx, tenantId);
      if (known && settingsFresh) return { ...known, snapshot, ai };
      const [tenant] = await tx
        .select({ name: tenants.name, timeZone: tenants.timeZone })
        .from(tenants)
        .where(eq(tenants.id, tenantId));
      if (!tenant) throw new TenantMissing("tenant not found");
      return { tenant, snapshot, ai };
    }),
  );
  if (!settingsFresh) e.settingsAt = now;
  e.config = config;
  return config;
}
