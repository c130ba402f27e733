import { type Database, pluginStorage, withTenant } from "@autopilot/db";
import { and, eq, like, sql } from "drizzle-orm";
import { z } from "zod";
import { AppError } from "../domain/errors.js";

// The "storage" capability: an install's own key/value store in Postgres, inside its tenant, within
// a quota (keys, bytes per value, bytes in all), so one plugin cannot fill the database.

export const STORAGE_QUOTA = { maxKeys: 1000, maxValueBytes: 64 * 1024, maxTotalBytes: 1024 * 1024 };

const Key = z.string().min(1).max(200);

export type Install = { tenantId: string; installId: string };

export async function storageCall(
  db: Database,
  install: Install,
  method: string,
  args: unknown[],
): Promise<unknown> {
  const scope = eq(pluginStorage.installId, install.installId);
  return withTenant(db, install.tenantId, async (tx) => {
    switch (method) {
      case "get": {
        const key = Key.parse(args[0]);
        const [row] = await tx
          .select({ value: pluginStorage.value })
          .from(pluginStorage)
          .where(and(scope, eq(pluginStorage.key, key)));
        return row?.value ?? null;
      }
      case "put": {
        const key = Key.parse(args[0]);
        const json = JSON.stringify(args[1] ?? null);
        const value: unknown = JSON.parse(json); // as stored: what JSON keeps of it
        const bytes = new TextEncoder().encode(json).length;
        if (bytes > STORAGE_QUOTA.maxValueBytes)
          throw new AppError("too_large", `storage: a value may hold ${STORAGE_QUOTA.maxValueBytes} bytes`);
        // The install's row lock serialises its writes, so two puts cannot both pass the quota.
        await tx.execute(sql`select 1 from plugin_installs where id = ${install.installId} for update`);
        const [use] = await tx
          .select({ keys: sql<number>`count(*)::int`, bytes: sql<number>`coalesce(sum(bytes), 0)::int` })
          .from(pluginStorage)
          .where(and(scope, sql`${pluginStorage.key} <> ${key}`));
        if ((use?.keys ?? 0) + 1 > STORAGE_QUOTA.maxKeys)
          throw new AppError("too_large", `storage: at most ${STORAGE_QUOTA.maxKeys} keys`);
        if ((use?.bytes ?? 0) + bytes > STORAGE_QUOTA.maxTotalBytes)
          throw new AppError("too_large", `storage: at most ${STORAGE_QUOTA.maxTotalBytes} bytes in all`);
        await tx
          .insert(pluginStorage)
          .values({
            tenantId: install.tenantId,
            installId: install.installId,
            key,
            value,
            bytes,
          })
          .onConflictDoUpdate({
            target: [pluginStorage.tenantId, pluginStorage.installId, pluginStorage.key],
            set: { value, bytes, updatedAt: sql`now()` },
          });
        return null;
      }
      case "delete": {
        const key = Key.parse(args[0]);
        await tx.delete(pluginStorage).where(and(scope, eq(pluginStorage.key, key)));
        return null;
      }
      case "list": {
        const prefix = z.string().max(200).optional().parse(args[0]) ?? "";
        const rows = await tx
          .select({ key: pluginStorage.key })
          .from(pluginStorage)
          .where(and(scope, like(pluginStorage.key, `${prefix.replace(/[\\%_]/g, "\\$&")}%`)))
          .orderBy(pluginStorage.key)
          .limit(STORAGE_QUOTA.maxKeys);
        return rows.map((r) => r.key);
      }
      default:
        throw new AppError("not_found", `storage.${method}: no such method`);
    }
  });
}
