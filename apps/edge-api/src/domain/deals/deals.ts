import {
  activities,
  type Database,
  dealStageHistory,
  deals,
  type ForecastCategory,
  recordTombstones,
  type StageCategory,
  stages,
  type Tx,
  withTenant,
} from "@autopilot/db";
import { and, asc, eq, isNotNull, isNull, or, type SQL } from "drizzle-orm";
import { recordEvent } from "../../events/outbox.js";
import { audit } from "../audit.js";
import { actingUserId, eventActor, type SalesActor } from "../crm/actor.js";
import { getCompanyRow } from "../crm/companies.js";
import { getContactRow } from "../crm/contacts.js";
import { afterCursor, decodeCursor, orderOf, page, type SortSpec, sortKey } from "../crm/pagination.js";
import { AppError, notFound } from "../errors.js";
import { defaultPipelineId, getPipelineRow } from "./pipelines.js";

type Row = typeof deals.$inferSelect;

export const dealView = (d: Row, category?: StageCategory) => ({
  id: d.id,
  pipelineId: d.pipelineId,
  stageId: d.stageId,
  status: category ?? null,
  title: d.title,
  amount: d.amount,
  currency: d.currency,
  expectedCloseDate: d.expectedCloseDate,
  forecastCategory: d.forecastCategory,
  ownerId: d.ownerId,
  contactId: d.contactId,
  companyId: d.companyId,
  leadId: d.leadId,
  wonReason: d.wonReason,
  lostReason: d.lostReason,
  closedAt: d.closedAt?.toISOString() ?? null,
  stageEnteredAt: d.stageEnteredAt.toISOString(),
  lastActivityAt: d.lastActivityAt?.toISOString() ?? null,
  staleFlaggedAt: d.staleFlaggedAt?.toISOString() ?? null,
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
});
export type DealView = ReturnType<typeof dealView>;

export type NewDeal = {
  title: string;
  pipelineId?: string;
  stageId?: string;
  amount?: number;
  currency?: string;
  expectedCloseDate?: string | null;
  forecastCategory?: ForecastCategory;
  ownerId?: string | null;
  contactId?: string | null;
  companyId?: string | null;
  leadId?: string | null;
};

async function stageOf(tx: Tx, pipelineId: string, stageId: string | undefined) {
  const rows = await tx
    .select()
    .from(stages)
    .where(eq(stages.pipelineId, pipelineId))
    .orderBy(asc(stages.position));
  const stage = stageId ? rows.find((s) => s.id === stageId) : rows.find((s) => s.category === "open");
  if (!stage) throw new AppError("invalid_request", "stageId: not a stage of this pipeline");
  return stage;
}

/** Creates a deal in the caller's transaction (first open stage unless named); history starts here. */
export async function insertDeal(tx: Tx, actor: SalesActor, input: NewDeal) {
  const pipelineId = input.pipelineId ?? (await defaultPipelineId(tx));
  await getPipelineRow(tx, pipelineId);
  const stage = await stageOf(tx, pipelineId, input.stageId);
  if (input.contactId) await getContactRow(tx, input.contactId);
  if (input.companyId) await getCompanyRow(tx, input.companyId);
  const now = new Date();
  const [deal] = await tx
    .insert(deals)
    .values({
      tenantId: actor.tenantId,
      pipelineId,
      stageId: stage.id,
      title: input.title,
      amount: input.amount ?? 0,
      currency: (input.currency ?? "USD").toUpperCase(),
      expectedCloseDate: input.expectedCloseDate ?? null,
      forecastCategory: input.forecastCategory ?? "pipeline",
      ownerId: input.ownerId ?? actingUserId(actor),
      contactId: input.contactId ?? null,
      companyId: input.companyId ?? null,
      leadId: input.leadId ?? null,
      closedAt: stage.category === "open" ? null : now,
      stageEnteredAt: now,
    })
    .returning();
  if (!deal) throw new Error("deal insert returned nothing");
  await tx.insert(dealStageHistory).values({
    tenantId: actor.tenantId,
    dealId: deal.id,
    fromStageId: null,
    toStageId: stage.id,
    changedBy: actingUserId(actor),
  });
  await recordEvent(tx, {
    type: "deal.created",
    tenantId: actor.tenantId,
    actor: eventActor(actor),
    subjects: { ...dealSubjects(deal), ...(deal.contactId ? { contact: deal.contactId } : {}) },
    properties: {
      pipelineId,
      stageId: stage.id,
      ownerId: deal.ownerId,
      amount: deal.amount,
      currency: deal.currency,
    },
  });
  await audit(tx, actor, "deal.created", { type: "deal", id: deal.id });
  return dealView(deal, stage.category);
}

export async function createDeal(db: Database, actor: SalesActor, input: NewDeal) {
  return withTenant(db, actor.tenantId, (tx) => insertDeal(tx, actor, input));
}

export async function getDealRow(tx: Tx, id: string) {
  const [row] = await tx
    .select({ deal: deals, category: stages.category })
    .from(deals)
    .innerJoin(stages, eq(stages.id, deals.stageId))
    .where(eq(deals.id, id));
  if (!row) throw notFound("deal");
  return row;
}

export async function getDeal(db: Database, tenantId: string, id: string) {
  return withTenant(db, tenantId, async (tx) => {
    const r = await getDealRow(tx, id);
    return dealView(r.deal, r.category);
  });
}

export type DealUpdate = Partial<Omit<NewDeal, "pipelineId" | "stageId" | "leadId">> & {
  stageId?: string;
  reason?: string;
};

/**
 * Updates a deal. Moving it to another stage writes the stage history and deal.stage_changed; into
 * a won or lost stage it also closes the deal (won/lost reason kept) and writes deal.won / deal.lost.
 */
export async function updateDeal(db: Database, actor: SalesActor, id: string, input: DealUpdate) {
  return withTenant(db, actor.tenantId, (tx) => changeDeal(tx, actor, id, input));
}

/** updateDeal in the caller's transaction. */
export async function changeDeal(tx: Tx, actor: SalesActor, id: string, input: DealUpdate) {
  const { deal: current } = await getDealRow(tx, id);
  if (input.contactId) await getContactRow(tx, input.contactId);
  if (input.companyId) await getCompanyRow(tx, input.companyId);
  const moving = input.stageId && input.stageId !== current.stageId;
  const stage = moving ? await stageOf(tx, current.pipelineId, input.stageId) : null;
  if (stage?.category === "lost" && !input.reason) {
    throw new AppError("invalid_request", "reason: required to mark a deal lost");
  }
  const now = new Date();
  const { reason, stageId: _s, ...fields } = input;
  const [deal] = await tx
    .update(deals)
    .set({
      ...fields,
      ...(fields.currency ? { currency: fields.currency.toUpperCase() } : {}),
      ...(stage
        ? {
            stageId: stage.id,
            stageEnteredAt: now,
            closedAt: stage.category === "open" ? null : now,
            wonReason: stage.category === "won" ? (reason ?? null) : current.wonReason,
            lostReason: stage.category === "lost" ? (reason ?? null) : current.lostReason,
          }
        : {}),
    })
    .where(eq(deals.id, id))
    .returning();
  if (!deal) throw notFound("deal");
  if (stage) {
    await tx.insert(dealStageHistory).values({
      tenantId: actor.tenantId,
      dealId: id,
      fromStageId: current.stageId,
      toStageId: stage.id,
      changedBy: actingUserId(actor),
    });
    const common = { tenantId: actor.tenantId, actor: eventActor(actor), subjects: dealSubjects(deal) };
    await recordEvent(tx, {
      ...common,
      type: "deal.stage_changed",
      properties: { pipelineId: deal.pipelineId, fromStageId: current.stageId, toStageId: stage.id },
    });
    const money = { amount: deal.amount, currency: deal.currency };
    if (stage.category === "won") {
      await recordEvent(tx, {
        ...common,
        type: "deal.won",
        properties: { pipelineId: deal.pipelineId, ownerId: deal.ownerId, ...money },
      });
    } else if (stage.category === "lost") {
      await recordEvent(tx, {
        ...common,
        type: "deal.lost",
        properties: {
          pipelineId: deal.pipelineId,
          ownerId: deal.ownerId,
          reason: reason ?? null,
          ...money,
        },
      });
    }
  }
  await audit(tx, actor, "deal.updated", { type: "deal", id }, { fields: Object.keys(input) });
  const category = stage?.category ?? (await getDealRow(tx, id)).category;
  return dealView(deal, category);
}

/**
 * Deletes a deal and its stage history (the forecast rollups follow through the deal triggers). Its
 * activities that also belong to a contact, company or lead stay there, unlinked from the deal; those
 * that belonged to the deal alone go with it.
 */
export async function deleteDeal(db: Database, actor: SalesActor, id: string): Promise<void> {
  await withTenant(db, actor.tenantId, async (tx) => {
    await getDealRow(tx, id);
    await tx
      .update(activities)
      .set({ dealId: null })
      .where(
        and(
          eq(activities.dealId, id),
          or(isNotNull(activities.contactId), isNotNull(activities.companyId), isNotNull(activities.leadId)),
        ),
      );
    await tx.delete(deals).where(eq(deals.id, id));
    // Sync plugins pass the deletion on (their changes feed reads tombstones).
    await tx
      .insert(recordTombstones)
      .values({ tenantId: actor.tenantId, objectType: "deal", localId: id })
      .onConflictDoNothing();
    await audit(tx, actor, "deal.deleted", { type: "deal", id });
  });
}

export async function dealHistory(db: Database, tenantId: string, id: string) {
  return withTenant(db, tenantId, async (tx) => {
    await getDealRow(tx, id);
    const rows = await tx
      .select()
      .from(dealStageHistory)
      .where(eq(dealStageHistory.dealId, id))
      .orderBy(asc(dealStageHistory.changedAt));
    return rows.map((h) => ({
      fromStageId: h.fromStageId,
      toStageId: h.toStageId,
      changedBy: h.changedBy,
      changedAt: h.changedAt.toISOString(),
    }));
  });
}

export type DealFilters = {
  pipelineId?: string;
  stageId?: string;
  ownerId?: string;
  leadId?: string;
  status?: "open" | "won" | "lost";
  stale?: boolean;
  sort: "created_at" | "updated_at" | "amount";
  order: "asc" | "desc";
  limit: number;
  cursor?: string;
};

export async function listDeals(db: Database, tenantId: string, f: DealFilters) {
  const column = { created_at: deals.createdAt, updated_at: deals.updatedAt, amount: deals.amount }[f.sort];
  const spec: SortSpec = {
    column,
    idColumn: deals.id,
    type: f.sort === "amount" ? "numeric" : "timestamptz",
    desc: f.order === "desc",
  };
  const where: (SQL | undefined)[] = [afterCursor(spec, decodeCursor(f.cursor))];
  if (f.pipelineId) where.push(eq(deals.pipelineId, f.pipelineId));
  if (f.stageId) where.push(eq(deals.stageId, f.stageId));
  if (f.ownerId) where.push(eq(deals.ownerId, f.ownerId));
  if (f.leadId) where.push(eq(deals.leadId, f.leadId));
  if (f.status) where.push(eq(stages.category, f.status));
  if (f.stale !== undefined)
    where.push(f.stale ? isNotNull(deals.staleFlaggedAt) : isNull(deals.staleFlaggedAt));
  return withTenant(db, tenantId, async (tx) => {
    const rows = await tx
      .select({ row: deals, category: stages.category, sortKey: sortKey(spec) })
      .from(deals)
      .innerJoin(stages, eq(stages.id, deals.stageId))
      .where(and(...where))
      .orderBy(...orderOf(spec))
      .limit(f.limit + 1);
    const { items, nextCursor } = page(
      rows.map((r) => ({ ...r.row, category: r.category, sortKey: r.sortKey })),
      f.limit,
    );
    return { deals: items.map((d) => dealView(d, d.category)), nextCursor };
  });
}

/**
 * A deal event's subjects: the deal, and the lead it was opened from (the event catalogue asks for it;
 * analytics follows a conversation's lead to its deals through it, so the funnel counts them).
 */
function dealSubjects(deal: { id: string; leadId: string | null }): Record<string, string> {
  return deal.leadId ? { deal: deal.id, lead: deal.leadId } : { deal: deal.id };
}
