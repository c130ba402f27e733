import {
  type Database,
  type IntakeMapping,
  leadIntakePayloads,
  leadIntakes,
  leads,
  lookups,
  type Tx,
  withTenant,
} from "@autopilot/db";
import { hex, hmacSha256 } from "@autopilot/sdk";
import { desc, eq, sql } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { timingSafeEqual } from "../../lib/crypto.js";
import { open, seal } from "../../lib/secret-box.js";
import { newSecret } from "../../webhooks/endpoints.js";
import { audit } from "../audit.js";
import { systemActor } from "../crm/actor.js";
import { AppError, notFound } from "../errors.js";
import type { Principal } from "../principal.js";
import { insertLead } from "./create-lead.js";
import { mapPayload } from "./intake-mapping.js";

// The inbound lead webhook: one endpoint per workspace (/v1/intake/{id}) that any form tool posts
// to, signed with the workspace's secret: Standard Webhooks headers, or `X-Signature-256:
// sha256=<hex HMAC-SHA256 of the raw body>` keyed with the secret as shown. Each verified payload
// becomes a contact and a lead (source "webhook"), scored and assigned as any other; the latest
// payloads and what became of them are kept for the settings screen.

export const KEPT_PAYLOADS = 20;
const MAX_PAYLOAD_CHARS = 16_000;

type Row = typeof leadIntakes.$inferSelect;
export type IntakePayloadView = {
  id: string;
  receivedAt: string;
  outcome: "created" | "duplicate" | "refused";
  leadId: string | null;
  error: string | null;
  payload: unknown;
};
export type IntakeView = {
  id: string;
  enabled: boolean;
  assign: boolean;
  mapping: IntakeMapping;
  secret: string;
  payloads: IntakePayloadView[];
};

const context = (tenantId: string) => `lead-intake:${tenantId}`;
const keyOf = (masterKey: string | undefined) => {
  if (!masterKey)
    throw new AppError("unavailable", "the lead webhook needs AI_MASTER_KEY to keep its secret");
  return masterKey;
};

async function rowOrCreate(db: Database, tenantId: string, masterKey: string | undefined): Promise<Row> {
  const [found] = await withTenant(db, tenantId, (tx) => tx.select().from(leadIntakes));
  if (found) return found;
  const secretSealed = await seal(keyOf(masterKey), newSecret(), context(tenantId));
  return withTenant(db, tenantId, async (tx) => {
    await tx.insert(leadIntakes).values({ tenantId, secretSealed }).onConflictDoNothing();
    const [row] = await tx.select().from(leadIntakes);
    if (!row) throw notFound("lead webhook");
    return row;
  });
}

async function view(db: Database, row: Row, masterKey: string | undefined): Promise<IntakeView> {
  const payloads = await withTenant(db, row.tenantId, (tx) =>
    tx.select().from(leadIntakePayloads).orderBy(desc(leadIntakePayloads.createdAt)).limit(KEPT_PAYLOADS),
  );
  return {
    id: row.id,
    enabled: row.enabled,
    assign: row.assign,
    mapping: row.mapping,
    secret: await open(keyOf(masterKey), row.secretSealed, context(row.tenantId)),
    payloads: payloads.map((p) => ({
      id: p.id,
      receivedAt: p.createdAt.toISOString(),
      outcome: p.outcome,
      leadId: p.leadId,
      error: p.error,
      payload: p.payload,
    })),
  };
}

/** The workspace's lead webhook (made on first read), its secret, and the latest payloads. */
export async function getIntake(db: Database, tenantId: string, masterKey: string | undefined) {
  return view(db, await rowOrCreate(db, tenantId, masterKey), masterKey);
}

export async function updateIntake(
  db: Database,
  p: Principal,
  patch: { enabled?: boolean; assign?: boolean; mapping?: IntakeMapping },
  masterKey: string | undefined,
): Promise<IntakeView> {
  await rowOrCreate(db, p.tenantId, masterKey);
  const row = await withTenant(db, p.tenantId, async (tx) => {
    const [updated] = await tx
      .update(leadIntakes)
      .set({ ...patch, updatedAt: new Date() })
      .where(eq(leadIntakes.tenantId, p.tenantId))
      .returning();
    if (!updated) throw notFound("lead webhook");
    await audit(tx, p, "lead_intake.updated", { type: "lead_intake", id: updated.id }, { ...patch });
    return updated;
  });
  return view(db, row, masterKey);
}

/** A new secret at once: senders signing with the old one are refused from now on. */
export async function rotateIntakeSecret(db: Database, p: Principal, masterKey: string | undefined) {
  await rowOrCreate(db, p.tenantId, masterKey);
  const secretSealed = await seal(keyOf(masterKey), newSecret(), context(p.tenantId));
  const row = await withTenant(db, p.tenantId, async (tx) => {
    const [updated] = await tx
      .update(leadIntakes)
      .set({ secretSealed, updatedAt: new Date() })
      .where(eq(leadIntakes.tenantId, p.tenantId))
      .returning();
    if (!updated) throw notFound("lead webhook");
    await audit(tx, p, "lead_intake.secret_rotated", { type: "lead_intake", id: updated.id });
    return updated;
  });
  return view(db, row, masterKey);
}

/** Refuses (401) a request the workspace's secret did not sign. */
async function checkSignature(secret: string, body: string, headers: Record<string, string>): Promise<void> {
  if (headers["webhook-signature"]) {
    try {
      // The library checks the signature and that the timestamp is within 5 minutes.
      new Webhook(secret).verify(body, headers);
      return;
    } catch (error) {
      throw new AppError(
        "unauthorized",
        `webhook-signature: ${(error as Error).message || "does not verify"}`,
      );
    }
  }
  const given = headers["x-signature-256"];
  if (given) {
    if (timingSafeEqual(given.trim().toLowerCase(), `sha256=${hex(await hmacSha256(secret, body))}`)) return;
    throw new AppError("unauthorized", "x-signature-256: does not verify");
  }
  throw new AppError(
    "unauthorized",
    "webhook-signature: unsigned (send Standard Webhooks headers, or X-Signature-256: sha256=<hex HMAC-SHA256 of the body>)",
  );
}

/** The body as an object: JSON, or a form post (application/x-www-form-urlencoded). */
function parseBody(body: string, contentType: string): Record<string, unknown> {
  if (contentType.includes("application/x-www-form-urlencoded"))
    return Object.fromEntries(new URLSearchParams(body));
  try {
    const value = JSON.parse(body) as unknown;
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // refused below
  }
  throw new AppError("invalid_request", "body: must be a JSON object or a form post");
}

/** Makes room for one more payload: only the latest are kept. */
const keepLatest = (tx: Tx) =>
  tx.execute(sql`delete from lead_intake_payloads where id in (
    select id from lead_intake_payloads order by created_at desc offset ${KEPT_PAYLOADS - 1})`);

export type IntakeResult = {
  leadId: string;
  contactId: string;
  duplicate: boolean;
  assign: boolean;
  tenantId: string;
};

/** A form tool's post: verified, mapped, and made a lead (a repeat of its message id makes none). */
export async function receiveIntake(
  db: Database,
  intakeId: string,
  request: { body: string; contentType: string; headers: Record<string, string> },
  masterKey: string | undefined,
): Promise<IntakeResult> {
  const tenantId = await lookups.leadIntakeTenant(db, intakeId);
  if (!tenantId) throw notFound("lead webhook");
  const [intake] = await withTenant(db, tenantId, (tx) => tx.select().from(leadIntakes));
  if (!intake) throw notFound("lead webhook");
  if (!intake.enabled) throw new AppError("forbidden", "the workspace turned its lead webhook off");
  const secret = await open(keyOf(masterKey), intake.secretSealed, context(tenantId));
  await checkSignature(secret, request.body, request.headers);
  const payload = parseBody(request.body, request.contentType);
  const messageId =
    (request.headers["webhook-id"] || request.headers["idempotency-key"] || "").slice(0, 200) || null;
  const stored = JSON.stringify(payload).length <= MAX_PAYLOAD_CHARS ? payload : { truncated: true };
  const mapped = mapPayload(payload, intake.mapping);
  const c = mapped.contact;
  if (!c.email && !c.phone && !c.name) {
    await withTenant(db, tenantId, async (tx) => {
      await keepLatest(tx);
      await tx.insert(leadIntakePayloads).values({
        tenantId,
        messageId: null,
        payload: stored,
        outcome: "refused",
        error: "no email, phone or name found in the payload (set the field mapping)",
      });
    });
    throw new AppError("no_contact_fields", "email: no email, phone or name found in the payload");
  }
  return withTenant(db, tenantId, async (tx) => {
    if (messageId) {
      const [seen] = await tx
        .select()
        .from(leadIntakePayloads)
        .where(eq(leadIntakePayloads.messageId, messageId));
      if (seen?.leadId) {
        const [lead] = await tx
          .select({ contactId: leads.contactId })
          .from(leads)
          .where(eq(leads.id, seen.leadId));
        return {
          leadId: seen.leadId,
          contactId: lead?.contactId ?? "",
          duplicate: true,
          assign: false,
          tenantId,
        };
      }
    }
    await keepLatest(tx);
    const lead = await insertLead(tx, systemActor(tenantId), {
      contact: c,
      ...(mapped.company ? { company: mapped.company } : {}),
      title: mapped.title ?? "Web form",
      source: "webhook",
      attributes: mapped.attributes,
    });
    await tx
      .insert(leadIntakePayloads)
      .values({ tenantId, messageId, payload: stored, outcome: "created", leadId: lead.id });
    return { leadId: lead.id, contactId: lead.contactId, duplicate: false, assign: intake.assign, tenantId };
  });
}
