import { type Database, webhookEndpoints, withTenant } from "@autopilot/db";
import { desc, eq } from "drizzle-orm";
import { audit } from "../domain/audit.js";
import { AppError, notFound } from "../domain/errors.js";
import type { Principal } from "../domain/principal.js";
import { outboundUrlProblem } from "../lib/address-policy.js";
import { open, seal } from "../lib/secret-box.js";

// A workspace's webhook endpoints: where its events go, which types, and the secret each request is
// signed with (Standard Webhooks: `whsec_` and base64). A rotation keeps the old secret signing beside
// the new one for an overlap, so a receiver can switch keys without missing a request.

export const MAX_ENDPOINTS = 20;
/** How long the old secret still signs after a rotation unless the caller says otherwise. */
export const DEFAULT_OVERLAP_HOURS = 24;

export type EndpointInput = { url: string; description?: string; eventTypes?: string[] };
export type EndpointView = {
  id: string;
  url: string;
  description: string;
  eventTypes: string[];
  status: "active" | "disabled";
  disabledReason: string | null;
  /** Until when the secret before the last rotation still signs (null: no overlap now). */
  previousSecretUntil: string | null;
  createdAt: string;
  updatedAt: string;
};

type Row = typeof webhookEndpoints.$inferSelect;
type MasterKey = string | undefined;

const context = (tenantId: string, endpointId: string) => `webhook:${tenantId}:${endpointId}`;

function masterKeyOf(masterKey: MasterKey): string {
  if (!masterKey) throw new AppError("unavailable", "webhooks need AI_MASTER_KEY to keep their secrets");
  return masterKey;
}

/** A fresh signing secret: `whsec_` and 32 random bytes in base64. */
export function newSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return `whsec_${btoa(String.fromCharCode(...bytes))}`;
}

export function endpointView(r: Row, now = new Date()): EndpointView {
  const overlap = r.previousSecretUntil && r.previousSecretUntil > now ? r.previousSecretUntil : null;
  return {
    id: r.id,
    url: r.url,
    description: r.description,
    eventTypes: r.eventTypes,
    status: r.status,
    disabledReason: r.disabledReason,
    previousSecretUntil: overlap?.toISOString() ?? null,
    createdAt: r.createdAt.toISOString(),
    updatedAt: r.updatedAt.toISOString(),
  };
}

/** The URL, if the server may post to it (the same address policy as every server-side fetch). */
function checkedUrl(url: string, allowLocal: boolean): string {
  const problem = outboundUrlProblem(url, allowLocal);
  if (problem) throw new AppError("invalid_request", `url: ${problem}`);
  if (!allowLocal && new URL(url).protocol !== "https:")
    throw new AppError("invalid_request", "url: must start with https://");
  return url;
}

export async function listEndpoints(db: Database, tenantId: string): Promise<EndpointView[]> {
  const rows = await withTenant(db, tenantId, (tx) =>
    tx.select().from(webhookEndpoints).orderBy(desc(webhookEndpoints.createdAt)),
  );
  return rows.map((r) => endpointView(r));
}

async function rowOf(db: Database, tenantId: string, id: string): Promise<Row> {
  const [row] = await withTenant(db, tenantId, (tx) =>
    tx.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id)),
  );
  if (!row) throw notFound("webhook endpoint");
  return row;
}

export const getEndpoint = async (db: Database, tenantId: string, id: string) =>
  endpointView(await rowOf(db, tenantId, id));

/** A new endpoint, and its secret: shown this once (it is kept sealed). */
export async function createEndpoint(
  db: Database,
  p: Principal,
  input: EndpointInput,
  opts: { masterKey: MasterKey; allowLocal: boolean },
): Promise<EndpointView & { secret: string }> {
  const url = checkedUrl(input.url, opts.allowLocal);
  const key = masterKeyOf(opts.masterKey);
  const id = crypto.randomUUID();
  const secret = newSecret();
  const secretSealed = await seal(key, secret, context(p.tenantId, id));
  return withTenant(db, p.tenantId, async (tx) => {
    const existing = await tx.select({ id: webhookEndpoints.id }).from(webhookEndpoints);
    if (existing.length >= MAX_ENDPOINTS)
      throw new AppError("conflict", `url: a workspace has at most ${MAX_ENDPOINTS} webhook endpoints`);
    const [row] = await tx
      .insert(webhookEndpoints)
      .values({
        id,
        tenantId: p.tenantId,
        url,
        description: input.description ?? "",
        eventTypes: input.eventTypes ?? [],
        secretSealed,
      })
      .returning();
    if (!row) throw new AppError("internal", "the endpoint was not stored");
    await audit(tx, p, "webhook.created", { type: "webhook_endpoint", id }, { url });
    return { ...endpointView(row), secret };
  });
}

/** New URL, description, event types, or enabled again (which clears why it was disabled). */
export async function updateEndpoint(
  db: Database,
  p: Principal,
  id: string,
  patch: Partial<EndpointInput> & { enabled?: boolean },
  allowLocal: boolean,
): Promise<EndpointView> {
  const url = patch.url === undefined ? undefined : checkedUrl(patch.url, allowLocal);
  return withTenant(db, p.tenantId, async (tx) => {
    const [row] = await tx
      .update(webhookEndpoints)
      .set({
        ...(url !== undefined ? { url } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.eventTypes !== undefined ? { eventTypes: patch.eventTypes } : {}),
        ...(patch.enabled === true ? { status: "active" as const, disabledReason: null } : {}),
        ...(patch.enabled === false
          ? { status: "disabled" as const, disabledReason: "disabled by an admin" }
          : {}),
        updatedAt: new Date(),
      })
      .where(eq(webhookEndpoints.id, id))
      .returning();
    if (!row) throw notFound("webhook endpoint");
    await audit(tx, p, "webhook.updated", { type: "webhook_endpoint", id }, { ...patch });
    return endpointView(row);
  });
}

export async function deleteEndpoint(db: Database, p: Principal, id: string): Promise<void> {
  await withTenant(db, p.tenantId, async (tx) => {
    const [gone] = await tx.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id)).returning();
    if (!gone) throw notFound("webhook endpoint");
    await audit(tx, p, "webhook.deleted", { type: "webhook_endpoint", id }, { url: gone.url });
  });
}

/**
 * A new secret (shown this once); the current one keeps signing beside it for `overlapHours`, so
 * receivers that still hold it verify every request until they switch.
 */
export async function rotateSecret(
  db: Database,
  p: Principal,
  id: string,
  overlapHours: number,
  masterKey: MasterKey,
): Promise<EndpointView & { secret: string }> {
  const key = masterKeyOf(masterKey);
  const secret = newSecret();
  const secretSealed = await seal(key, secret, context(p.tenantId, id));
  return withTenant(db, p.tenantId, async (tx) => {
    const [before] = await tx
      .select()
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.id, id))
      .for("update");
    if (!before) throw notFound("webhook endpoint");
    const [row] = await tx
      .update(webhookEndpoints)
      .set({
        secretSealed,
        previousSecretSealed: overlapHours > 0 ? before.secretSealed : null,
        previousSecretUntil: overlapHours > 0 ? new Date(Date.now() + overlapHours * 3_600_000) : null,
        updatedAt: new Date(),
      })
      .where(eq(webhookEndpoints.id, id))
      .returning();
    if (!row) throw notFound("webhook endpoint");
    await audit(tx, p, "webhook.secret_rotated", { type: "webhook_endpoint", id }, { overlapHours });
    return { ...endpointView(row), secret };
  });
}

/** The secrets a request is signed with now: the current one, and the previous one during its overlap. */
export async function signingSecrets(row: Row, masterKey: MasterKey, now = new Date()): Promise<string[]> {
  const key = masterKeyOf(masterKey);
  const ctx = context(row.tenantId, row.id);
  const secrets = [await open(key, row.secretSealed, ctx)];
  if (row.previousSecretSealed && row.previousSecretUntil && row.previousSecretUntil > now)
    secrets.push(await open(key, row.previousSecretSealed, ctx));
  return secrets;
}
