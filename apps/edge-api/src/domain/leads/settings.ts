import { type Database, salesSettings, type Tx, withTenant } from "@autopilot/db";

export type SalesSettings = {
  qualifyingScore: number;
  mqlScore: number;
  sqlScore: number;
  firstTouchSlaMinutes: number;
  staleDealDays: number;
};

export const DEFAULT_SALES_SETTINGS: SalesSettings = {
  qualifyingScore: 10,
  mqlScore: 40,
  sqlScore: 70,
  firstTouchSlaMinutes: 60,
  staleDealDays: 14,
};

/** The tenant's thresholds and timers (defaults until the tenant saves its own). */
export async function loadSalesSettings(tx: Tx): Promise<SalesSettings> {
  const [row] = await tx.select().from(salesSettings).limit(1);
  if (!row) return DEFAULT_SALES_SETTINGS;
  const { tenantId: _t, updatedAt: _u, ...settings } = row;
  return settings;
}

export async function saveSalesSettings(
  tx: Tx,
  tenantId: string,
  input: Partial<SalesSettings>,
): Promise<SalesSettings> {
  const merged = { ...(await loadSalesSettings(tx)), ...input };
  await tx
    .insert(salesSettings)
    .values({ tenantId, ...merged })
    .onConflictDoUpdate({ target: salesSettings.tenantId, set: merged });
  return merged;
}

export function salesSettingsOf(db: Database, tenantId: string): Promise<SalesSettings> {
  return withTenant(db, tenantId, loadSalesSettings);
}

export function updateSalesSettings(
  db: Database,
  tenantId: string,
  input: Partial<SalesSettings>,
): Promise<SalesSettings> {
  return withTenant(db, tenantId, (tx) => saveSalesSettings(tx, tenantId, input));
}
