import {
  analyticsSettings,
  type Database,
  DEFAULT_DEAD_LETTER_RETENTION_DAYS,
  DEFAULT_RETENTION_DAYS,
  withTenant,
} from "@autopilot/db";
import { eq } from "drizzle-orm";

// How long the tenant's analytics events and dead letters are kept (the retention cron reads these).

export type AnalyticsSettings = { retentionDays: number; deadLetterRetentionDays: number };

export async function readAnalyticsSettings(db: Database, tenantId: string): Promise<AnalyticsSettings> {
  const row = await withTenant(
    db,
    tenantId,
    async (tx) =>
      (await tx.select().from(analyticsSettings).where(eq(analyticsSettings.tenantId, tenantId)))[0],
  );
  return {
    retentionDays: row?.retentionDays ?? DEFAULT_RETENTION_DAYS,
    deadLetterRetentionDays: row?.deadLetterRetentionDays ?? DEFAULT_DEAD_LETTER_RETENTION_DAYS,
  };
}

export async function saveAnalyticsSettings(
  db: Database,
  tenantId: string,
  changes: Partial<AnalyticsSettings>,
): Promise<AnalyticsSettings> {
  await withTenant(db, tenantId, (tx) =>
    tx
      .insert(analyticsSettings)
      .values({ tenantId, ...changes })
      .onConflictDoUpdate({ target: analyticsSettings.tenantId, set: { ...changes, updatedAt: new Date() } }),
  );
  return readAnalyticsSettings(db, tenantId);
}
