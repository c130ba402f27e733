import {
  contacts,
  conversations,
  idempotencyKeys,
  leads,
  memberships,
  notifications,
  pipelines,
  stages,
  type Tx,
  teams,
  users,
  withTenant,
} from "@autopilot/db";
import type { FieldType, JsonValue } from "@autopilot/engine";
import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import {
  assignLeadInTenantTx,
  createDealInTx,
  createLeadFromFormInTx,
  type FormLead,
} from "../domain/conversation-hooks.js";
import { rememberTags } from "../domain/crm/attributes.js";
import { AppError } from "../domain/errors.js";
import { links } from "../mail/links.js";
import type { ActionContext, ActionExecutor, ActionIo, ActionOutcome, SalesCommand } from "./actions.js";

/** The idempotency_keys route that marks a conversation action (HTTP keys use "METHOD /path"). */
const ACTION_ROUTE = "conversation action";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Done = Extract<ActionOutcome, { status: "done" }>;

/**
 * Runs a route action in one tenant transaction that also claims the action's key in
 * idempotency_keys: a retry after a lost acknowledgement finds the claim and returns the stored
 * outcome instead of creating a second lead. Bad input and missing records (AppError) are permanent
 * failures; anything else (the database is down) is worth retrying.
 */
export const salesExecutor: ActionExecutor<SalesCommand> = {
  async run(command, context, io) {
    try {
      return await withTenant(io.db, context.tenantId, async (tx) => {
        const claimed = await tx
          .insert(idempotencyKeys)
          .values({
            tenantId: context.tenantId,
            key: context.key,
            route: ACTION_ROUTE,
            requestHash: command.type,
          })
          .onConflictDoNothing()
          .returning({ key: idempotencyKeys.key });
        if (claimed.length === 0) {
          const [row] = await tx.select().from(idempotencyKeys).where(eq(idempotencyKeys.key, context.key));
          if (row?.route === ACTION_ROUTE && row.responseBody) return row.responseBody as Done;
          throw new AppError("conflict", `key ${context.key} is taken`);
        }
        const outcome = await runAction(tx, command, context, io);
        await tx
          .update(idempotencyKeys)
          .set({ responseStatus: 200, responseBody: outcome })
          .where(eq(idempotencyKeys.key, context.key));
        return outcome;
      });
    } catch (error) {
      return {
        status: "failed",
        error: error instanceof Error ? error.message : String(error),
        permanent: isPermanent(error),
      };
    }
  },
};

/**
 * Bad input, a missing record, or an error Postgres gave for the statement itself (a constraint, a
 * bad value) cannot succeed on retry. No SQLSTATE at all (no connection), or a connection,
 * resource or serialization class (08, 53, 57, 40), can.
 */
function isPermanent(error: unknown): boolean {
  if (error instanceof AppError) return error.permanent;
  const code = sqlState(error);
  return code !== null && !/^(08|53|57|40)/.test(code);
}

function sqlState(error: unknown): string | null {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 4; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

async function runAction(tx: Tx, command: SalesCommand, ctx: ActionContext, io: ActionIo): Promise<Done> {
  switch (command.type) {
    case "create_lead": {
      const lead = await createLeadFromFormInTx(
        tx,
        ctx.tenantId,
        formLead(command.fields, ctx.fieldTypes, ctx.conversationId, command.routeId),
      );
      // The conversation row may not be copied yet; then its first copy carries the contact (pg-sink).
      await tx
        .update(conversations)
        .set({ contactId: lead.contactId })
        .where(and(eq(conversations.id, ctx.conversationId), isNull(conversations.contactId)));
      return { status: "done", leadId: lead.id, contactId: lead.contactId };
    }
    case "assign": {
      if (!ctx.leadId) throw new AppError("no_lead", "assign: the conversation has no lead yet");
      const { ownerId, teamId } = await assignLeadInTenantTx(tx, ctx.tenantId, { leadId: ctx.leadId });
      return { status: "done", summary: ownerId ? await ownerLine(tx, ownerId, teamId) : undefined };
    }
    case "create_deal": {
      const { pipelineId, stageId } = await dealPlace(tx, command.pipeline, command.stage);
      const [lead] = ctx.leadId ? await tx.select().from(leads).where(eq(leads.id, ctx.leadId)) : [];
      await createDealInTx(tx, ctx.tenantId, {
        title: command.title || "Deal from chat",
        pipelineId,
        stageId,
        amount: command.value?.amount,
        currency: command.value?.currency,
        ownerId: lead?.ownerId ?? null,
        contactId: ctx.contactId,
        companyId: lead?.companyId ?? null,
        leadId: ctx.leadId,
      });
      return { status: "done" };
    }
    case "tag": {
      if (!ctx.contactId) throw new AppError("no_contact", "tag: the conversation has no contact yet");
      const names = command.tags.map((t) => t.trim()).filter(Boolean);
      const [contact] = await tx
        .select({ tags: contacts.tags })
        .from(contacts)
        .where(eq(contacts.id, ctx.contactId))
        .for("update");
      if (!contact) throw new AppError("not_found", "tag: contact not found");
      await tx
        .update(contacts)
        .set({ tags: [...new Set([...contact.tags, ...names])] })
        .where(eq(contacts.id, ctx.contactId));
      await rememberTags(tx, ctx.tenantId, names);
      return { status: "done" };
    }
    case "notify":
      await notify(tx, command, ctx, io);
      return { status: "done" };
  }
}

/** The form's fields as a lead: email, phone and name fields by type; the rest kept as attributes. */
export function formLead(
  fields: Record<string, JsonValue>,
  types: Record<string, FieldType>,
  conversationId: string,
  routeId: string,
): FormLead {
  const byType = (type: FieldType) => {
    const name = Object.keys(fields).find((f) => types[f] === type);
    const v = name === undefined ? undefined : fields[name];
    return typeof v === "string" && v.trim() ? v.trim() : undefined;
  };
  const str = (name: string) => {
    const v = fields[name];
    return typeof v === "string" && v.trim() ? v.trim() : undefined;
  };
  const budget = fields.budget;
  const amount =
    typeof budget === "number"
      ? budget
      : budget && typeof budget === "object" && !Array.isArray(budget) && typeof budget.amount === "number"
        ? budget.amount
        : undefined;
  // A name field holds {first, last, full} (the engine's extractor); older values may be a string.
  const nameField = Object.keys(fields).find((f) => types[f] === "name");
  const nameValue = nameField === undefined ? undefined : fields[nameField];
  const name =
    nameValue &&
    typeof nameValue === "object" &&
    !Array.isArray(nameValue) &&
    typeof nameValue.full === "string"
      ? nameValue.full
      : byType("name");
  const company = str("company");
  return {
    conversationId,
    routeId,
    contact: { name, email: byType("email") ?? null, phone: byType("phone") ?? null },
    company: company ? { name: company } : undefined,
    title: [name ?? byType("email"), company].filter(Boolean).join(", ") || "Lead from chat",
    attributes: { ...fields },
    signals: amount === undefined ? undefined : { budget: amount, timeline: str("timeline") ?? null },
    territory: str("territory") ?? str("country") ?? null,
    language: str("language") ?? null,
    product: str("product") ?? null,
  };
}

/** "Anna from Sales will contact you shortly." — the owner's first name and the team they came from. */
async function ownerLine(tx: Tx, ownerId: string, teamId: string | null): Promise<string | undefined> {
  const [owner] = await tx.select({ name: users.name }).from(users).where(eq(users.id, ownerId));
  const first = owner?.name.trim().split(/\s+/)[0];
  if (!first) return "One of our team will contact you shortly.";
  const [team] = teamId ? await tx.select({ name: teams.name }).from(teams).where(eq(teams.id, teamId)) : [];
  return team ? `${first} from ${team.name} will contact you shortly.` : `${first} will contact you shortly.`;
}

/** A pipeline and stage named in the route by id or by name; the default pipeline when none. */
async function dealPlace(tx: Tx, pipeline?: string, stage?: string) {
  let pipelineId: string | undefined;
  if (pipeline) {
    const [p] = await tx
      .select({ id: pipelines.id })
      .from(pipelines)
      .where(UUID.test(pipeline) ? eq(pipelines.id, pipeline) : eq(pipelines.name, pipeline));
    if (!p) throw new AppError("not_found", `pipeline ${pipeline} not found`);
    pipelineId = p.id;
  }
  let stageId: string | undefined;
  if (stage) {
    const [s] = await tx
      .select({ id: stages.id })
      .from(stages)
      .where(
        and(
          UUID.test(stage) ? eq(stages.id, stage) : eq(stages.name, stage),
          pipelineId ? eq(stages.pipelineId, pipelineId) : sql`true`,
        ),
      );
    if (!s) throw new AppError("not_found", `stage ${stage} not found`);
    stageId = s.id;
  }
  return { pipelineId, stageId };
}

/**
 * notify: `to` is "owner" (the lead's owner), an email address (mail only), or anything else (a team
 * name such as "sales"): every owner, admin and agent of the tenant, in the app and by mail.
 */
async function notify(
  tx: Tx,
  command: Extract<SalesCommand, { type: "notify" }>,
  ctx: ActionContext,
  io: ActionIo,
): Promise<void> {
  const subject = "Message from a chat route";
  const text = `${command.message}\n\nOpen the conversation: ${links.conversation(io.appUrl, ctx.conversationId)}`;
  if (command.to.includes("@")) {
    await io.mailer.send(tx, { tenantId: ctx.tenantId, to: command.to, subject, text, kind: "notification" });
    return;
  }
  const recipients = tx
    .select({ userId: memberships.userId, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId));
  let people: { userId: string; email: string }[];
  if (command.to === "owner") {
    const [lead] = ctx.leadId ? await tx.select().from(leads).where(eq(leads.id, ctx.leadId)) : [];
    people = lead?.ownerId
      ? await recipients.where(
          and(eq(memberships.tenantId, ctx.tenantId), eq(memberships.userId, lead.ownerId)),
        )
      : [];
  } else {
    people = await recipients.where(
      and(eq(memberships.tenantId, ctx.tenantId), inArray(memberships.role, ["owner", "admin", "agent"])),
    );
  }
  if (people.length === 0) return;
  await tx.insert(notifications).values(
    people.map((p) => ({
      tenantId: ctx.tenantId,
      userId: p.userId,
      kind: "route.notify",
      title: subject,
      body: command.message.slice(0, 500),
      data: { conversationId: ctx.conversationId, routeId: command.routeId },
    })),
  );
  for (const p of people)
    await io.mailer.send(tx, { tenantId: ctx.tenantId, to: p.email, subject, text, kind: "notification" });
}
