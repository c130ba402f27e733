import {
  businessHours,
  type Database,
  isDatabaseUnavailable,
  routerModels,
  tenants,
  withTenant,
} from "@autopilot/db";
import type { BusinessHours } from "@autopilot/engine";
import { eq, sql } from "drizzle-orm";
import { type AiSettingsRow, loadAiSettings } from "../ai/tenant-provider.js";
import { engineHours } from "../domain/business-hours.js";
import { createLogger } from "../lib/log.js";
import { loadSnapshot, type RoutesSnapshot } from "../route-config/snapshot.js";
import type { StartInput } from "./protocol.js";
import type { Meta } from "./stored.js";

// What a conversation needs from Postgres when it starts: the tenant's name, time zone and business
// hours, its latest routes snapshot and its AI settings. Cached per isolate and tenant, so a burst of new
// conversations does not become a burst of transactions (the compiled router is the heavy part):
// - every start checks, in one statement, the routes version together with the tenant's name, time
//   zone and business hours (a conversation that starts after a change to any of them gets it), but
//   concurrent starts share one check: a start waits for a check issued after it arrived, so at most
//   one runs and one waits per tenant;
// - the snapshot is read again only when the version moved; the AI settings on every check (a key or
//   budget change applies to the next conversation);
// - when a check cannot reach the database (down, or too slow under a burst: its deadline), a start
//   uses the last configuration this isolate read, as a running conversation keeps replying while the
//   database is away; only a tenant never read here is refused. A change made meanwhile applies once a
//   check succeeds.

export type StartConfig = {
  tenant: { name: string; timeZone: string; businessHours: BusinessHours | undefined };
  snapshot: RoutesSnapshot;
  ai: AiSettingsRow | null;
};

/** Runs `fn` with a database handle (the DO's, holding one of its connection slots). */
export type WithDb = <T>(fn: (db: Database) => Promise<T>) => Promise<T>;

const MAX_TENANTS = 1000;

type Entry = {
  config: StartConfig | null;
  inflight: Promise<StartConfig> | null;
  queued: Promise<StartConfig> | null;
};

const cache = new Map<string, Entry>();

/** The tenant's start configuration, or null when the tenant does not exist. */
export function startConfig(tenantId: string, withDb: WithDb): Promise<StartConfig | null> {
  const entry = entryFor(tenantId);
  return check(tenantId, entry, withDb).catch((error) => {
    if (error instanceof TenantMissing) return null;
    if (!isDatabaseUnavailable(error) || !entry.config) throw error;
    createLogger({ tenant: tenantId }).warn("start configuration check failed; using the last known", {
      error: String(error),
    });
    return entry.config;
  });
}

function entryFor(tenantId: string): Entry {
  const found = cache.get(tenantId);
  if (found) return found;
  if (cache.size >= MAX_TENANTS) cache.delete(cache.keys().next().value as string);
  const entry: Entry = { config: null, inflight: null, queued: null };
  cache.set(tenantId, entry);
  return entry;
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

/** One short tenant transaction: the tenant row and latest version, the AI settings, the snapshot if it moved. */
async function refresh(tenantId: string, e: Entry, withDb: WithDb): Promise<StartConfig> {
  const known = e.config;
  const config = await withDb((db) =>
    withTenant(db, tenantId, async (tx) => {
      const [head] = await tx
        .select({
          name: tenants.name,
          timeZone: tenants.timeZone,
          version: sql<number>`coalesce((select max(${routerModels.version}) from ${routerModels}
            where ${routerModels.tenantId} = ${tenants.id}), 0)`.mapWith(Number),
          hoursEnabled: businessHours.enabled,
          weekly: businessHours.weekly,
          closedDates: businessHours.closedDates,
        })
        .from(tenants)
        .leftJoin(businessHours, eq(businessHours.tenantId, tenants.id))
        .where(eq(tenants.id, tenantId));
      if (!head) throw new TenantMissing("tenant not found");
      const snapshot =
        known && known.snapshot.version === head.version ? known.snapshot : await loadSnapshot(tx, tenantId);
      const ai = await loadAiSettings(tx, tenantId);
      const hours =
        head.hoursEnabled === null || head.weekly === null || head.closedDates === null
          ? undefined
          : engineHours({ enabled: head.hoursEnabled, weekly: head.weekly, closedDates: head.closedDates });
      return { tenant: { name: head.name, timeZone: head.timeZone, businessHours: hours }, snapshot, ai };
    }),
  );
  e.config = config;
  return config;
}

/** A new conversation's meta, from the start request and the tenant's configuration. */
export function newMeta(input: StartInput, loaded: StartConfig): Meta {
  return {
    id: input.conversationId,
    tenantId: input.tenantId,
    channel: input.channel,
    status: "bot",
    visitorId: input.visitorId,
    assigneeId: null,
    routesVersion: loaded.snapshot.version,
    createdAt: new Date().toISOString(),
    closedAt: null,
    csatScore: null,
    csatComment: null,
    timeZone: loaded.tenant.timeZone,
    tenantName: loaded.tenant.name,
    businessHours: loaded.tenant.businessHours,
    revision: 0,
    lastMessage: "",
    lastMessageAt: null,
    messageCount: 0,
    handoffAt: null,
    awaitingSince: null,
    ...(input.thread ? { thread: input.thread } : {}),
    ...(input.contactId ? { contactId: input.contactId } : {}),
  };
}
