import type { Database } from "@autopilot/db";
import { type Cursor, cursorTime, type Page, pageOf } from "./pages.js";

export type Rejection = { messageId: string; body: unknown; reason: string };

/**
 * Sets poison messages aside in `events_rejected` (tenant-less; written as the connecting user, never
 * as app_user) so they can be inspected and fixed instead of failing their batch for ever.
 */
export async function setAside(db: Database, queue: string, rejections: Rejection[]): Promise<void> {
  if (rejections.length === 0) return;
  const rows = rejections.map((r) => ({
    queue,
    message_id: r.messageId,
    claimed_tenant_id: claimedTenant(r.body),
    body: storable(r.body),
    reason: r.reason.slice(0, 2000),
  }));
  await db.query(
    `insert into events_rejected (queue, message_id, claimed_tenant_id, body, reason)
     select queue, message_id, claimed_tenant_id, body, reason
     from jsonb_to_recordset($1::jsonb) as x(queue text, message_id text, claimed_tenant_id text, body jsonb, reason text)`,
    [JSON.stringify(rows)],
  );
}

/** jsonb cannot hold NUL characters (a common poison): keep them visible as the text "\\u0000". */
function storable(body: unknown): unknown {
  if (body === undefined) return null;
  try {
    return JSON.parse(JSON.stringify(body), (_key, value) =>
      typeof value === "string" ? value.replaceAll("\u0000", "\\u0000") : value,
    );
  } catch {
    return String(body);
  }
}

function claimedTenant(body: unknown): string | null {
  if (!body || typeof body !== "object") return null;
  const t = (body as { tenantId?: unknown }).tenantId;
  return typeof t === "string" ? t.slice(0, 100) : null;
}

export type RejectedItem = {
  id: string;
  queue: string;
  messageId: string;
  body: unknown;
  reason: string;
  createdAt: string;
};

/**
 * Set-aside messages that name this tenant, newest first. events_rejected is tenant-less (app_user
 * has no access), so this reads it as the connecting user and filters on the claimed tenant here.
 */
export async function listRejected(
  db: Database,
  tenantId: string,
  opts: { limit: number; cursor: Cursor | null },
): Promise<Page<RejectedItem>> {
  const rows = await db.query<{
    id: string;
    queue: string;
    message_id: string;
    body: unknown;
    reason: string;
    created_at: Date | string;
    at: string;
  }>(
    `select id, queue, message_id, body, reason, created_at, ${cursorTime("created_at")} as at
     from events_rejected
     where claimed_tenant_id = $1
       and ($2::timestamptz is null or (created_at, id) < ($2::timestamptz, $3::uuid))
     order by created_at desc, id desc limit $4`,
    [tenantId, opts.cursor?.at ?? null, opts.cursor?.id ?? null, opts.limit + 1],
  );
  return pageOf(
    rows.map((r) => ({
      at: r.at,
      id: r.id,
      item: {
        id: r.id,
        queue: r.queue,
        messageId: r.message_id,
        body: r.body,
        reason: r.reason,
        createdAt: new Date(r.created_at).toISOString(),
      },
    })),
    opts.limit,
  );
}
