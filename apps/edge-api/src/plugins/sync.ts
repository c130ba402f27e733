import { type Database, syncLinks, withTenant } from "@autopilot/db";
import { SYNC_OBJECTS, type SyncLink, SyncLinkInput } from "@autopilot/sdk";
import { and, eq, or } from "drizzle-orm";
import { z } from "zod";
import { AppError } from "../domain/errors.js";
import type { Install } from "./storage.js";

// The sync capability (permission "sync"): which local record is which remote one, for this install
// only, one to one both ways; a link replaces any either side had.

type Row = typeof syncLinks.$inferSelect;

const view = (r: Row): SyncLink => ({
  objectType: r.objectType as SyncLink["objectType"],
  localId: r.localId,
  externalId: r.externalId,
  remoteVersion: r.remoteVersion,
  hash: r.contentHash,
  syncedAt: r.syncedAt.toISOString(),
});

const ObjectType = z.enum(SYNC_OBJECTS);
const ExternalId = z.string().trim().min(1).max(200);

export async function syncCall(
  db: Database,
  install: Install,
  method: string,
  args: unknown[],
): Promise<unknown> {
  const mine = eq(syncLinks.installId, install.installId);
  return withTenant(db, install.tenantId, async (tx) => {
    switch (method) {
      case "link": {
        const l = SyncLinkInput.parse(args[0]);
        const sameType = and(mine, eq(syncLinks.objectType, l.objectType));
        await tx
          .delete(syncLinks)
          .where(and(sameType, or(eq(syncLinks.localId, l.localId), eq(syncLinks.externalId, l.externalId))));
        const [row] = await tx
          .insert(syncLinks)
          .values({
            tenantId: install.tenantId,
            installId: install.installId,
            objectType: l.objectType,
            localId: l.localId,
            externalId: l.externalId,
            remoteVersion: l.remoteVersion,
            contentHash: l.hash,
          })
          .returning();
        if (!row) throw new AppError("internal", "sync.link: the link was not stored");
        return view(row);
      }
      case "byLocal": {
        const [row] = await tx
          .select()
          .from(syncLinks)
          .where(
            and(
              mine,
              eq(syncLinks.objectType, ObjectType.parse(args[0])),
              eq(syncLinks.localId, z.uuid().parse(args[1])),
            ),
          );
        return row ? view(row) : null;
      }
      case "byExternal": {
        const [row] = await tx
          .select()
          .from(syncLinks)
          .where(
            and(
              mine,
              eq(syncLinks.objectType, ObjectType.parse(args[0])),
              eq(syncLinks.externalId, ExternalId.parse(args[1])),
            ),
          );
        return row ? view(row) : null;
      }
      case "unlink":
        await tx
          .delete(syncLinks)
          .where(
            and(
              mine,
              eq(syncLinks.objectType, ObjectType.parse(args[0])),
              eq(syncLinks.localId, z.uuid().parse(args[1])),
            ),
          );
        return null;
      default:
        throw new AppError("not_found", `sync.${method}: no such method`);
    }
  });
}
