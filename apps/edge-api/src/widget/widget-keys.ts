import { type Database, widgetKeys, withTenant } from "@autopilot/db";
import { asc, eq } from "drizzle-orm";
import { randomToken } from "../lib/crypto.js";

export type WidgetSettings = { title?: string; color?: string; greeting?: string };

const view = (k: typeof widgetKeys.$inferSelect) => ({
  id: k.id,
  publicKey: k.publicKey,
  settings: k.settings as WidgetSettings,
  allowedOrigins: k.allowedOrigins,
  enabled: k.enabled,
  createdAt: k.createdAt.toISOString(),
});
export type WidgetKeyView = ReturnType<typeof view>;

export async function createWidgetKey(
  db: Database,
  tenantId: string,
  input: { settings: WidgetSettings; allowedOrigins: string[] },
): Promise<WidgetKeyView> {
  return withTenant(db, tenantId, async (tx) => {
    const [row] = await tx
      .insert(widgetKeys)
      .values({
        tenantId,
        publicKey: `wk_${randomToken(18)}`,
        settings: input.settings,
        allowedOrigins: input.allowedOrigins,
      })
      .returning();
    if (!row) throw new Error("widget key insert returned nothing");
    return view(row);
  });
}

export async function listWidgetKeys(db: Database, tenantId: string): Promise<WidgetKeyView[]> {
  return withTenant(db, tenantId, async (tx) =>
    (
      await tx
        .select()
        .from(widgetKeys)
        .where(eq(widgetKeys.tenantId, tenantId))
        .orderBy(asc(widgetKeys.createdAt))
    ).map(view),
  );
}
