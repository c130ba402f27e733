import { z } from "zod";
import type { CompanyView, ContactView, DealView } from "./capabilities.js";

// What CRM sync plugins (HubSpot, Pipedrive, …) stand on: which local record is which remote one
// (permission "sync"; kept by the platform, one to one per install, with the remote version and a
// content hash so a second run changes nothing), and the contacts changed since a cursor, deletions
// included (permission "contacts:read").

export const SYNC_OBJECTS = ["contact", "company", "deal"] as const;
export type SyncObject = (typeof SYNC_OBJECTS)[number];

export const SyncLinkInput = z.object({
  objectType: z.enum(SYNC_OBJECTS),
  localId: z.uuid(),
  externalId: z.string().trim().min(1).max(200),
  /** The remote record's version when last synced (its updatedAt, or a revision number). */
  remoteVersion: z.string().max(100).nullable().default(null),
  /** A hash of the fields last synced, to tell a real change from a repeat. */
  hash: z.string().max(128).nullable().default(null),
});
export type SyncLinkInput = z.input<typeof SyncLinkInput>;
export type SyncLink = z.infer<typeof SyncLinkInput> & { syncedAt: string };

export interface SyncCapability {
  /** Records that `localId` is `externalId` there (replacing any link either had). */
  link(link: SyncLinkInput): Promise<SyncLink>;
  byLocal(objectType: SyncObject, localId: string): Promise<SyncLink | null>;
  byExternal(objectType: SyncObject, externalId: string): Promise<SyncLink | null>;
  unlink(objectType: SyncObject, localId: string): Promise<void>;
}

/** A record in a changes feed: as it is now, or only its id when it was deleted, merged or erased. */
export type RecordChange<V> = (
  | (V & { deleted: false })
  | { id: string; deleted: true; updatedAt: string }
) & {
  /** This change's own cursor: `after` it goes on right past it (platform 1.3.0; a page can be taken in part). */
  cursor?: string;
};
export type ContactChange = RecordChange<ContactView>;
export type CompanyChange = RecordChange<CompanyView>;
export type DealChange = RecordChange<DealView>;

/** `next`: pass it as `after` next time; null when there was nothing (keep the one you had). */
export type ContactChanges = { contacts: ContactChange[]; next: string | null };
export type CompanyChanges = { companies: CompanyChange[]; next: string | null };
export type DealChanges = { deals: DealChange[]; next: string | null };
