import {
  type Database,
  dealStageHistory,
  deals,
  outbox,
  pipelines,
  type StageCategory,
  stages,
  type Tx,
  withTenant,
} from "@autopilot/db";
import { and, asc, count, desc, eq, sql } from "drizzle-orm";
import { outboxRow } from "../../events/outbox.js";
import { audit } from "../audit.js";
import { actingUserId, eventActor, type SalesActor } from "../crm/actor.js";
import { AppError, notFound } from "../errors.js";

export type StageInput = { name: string; probability: number; category?: StageCategory };

async function pipelineView(tx: Tx, p: typeof pipelines.$inferSelect) {
  const rows = await tx
    .select()
    .from(stages)
    .where(eq(stages.pipelineId, p.id))
    .orderBy(asc(stages.position));
  return {
    id: p.id,
    name: p.name,
    isDefault: p.isDefault,
    stages: rows.map((s) => ({
      id: s.id,
      name: s.name,
      position: s.position,
      probability: s.probability,
      category: s.category,
    })),
  };
}
export type PipelineView = Awaited<ReturnType<typeof pipelineView>>;

/** What a new workspace starts with, so the first lead can become a deal without any setup. */
export const DEFAULT_PIPELINE = {
  name: "Sales",
  isDefault: true,
  stages: [
    { name: "New", probability: 10 },
    { name: "Qualified", probability: 25 },
    { name: "Proposal", probability: 50 },
    { name: "Negotiation", probability: 75 },
    { name: "Won", probability: 100, category: "won" },
    { name: "Lost", probability: 0, category: "lost" },
  ] satisfies StageInput[],
};

/** Inside the tenant's transaction: the pipeline and its stages, in order. */
export async function insertPipeline(
  tx: Tx,
  tenantId: string,
  input: { name: string; isDefault?: boolean; stages: StageInput[] },
) {
  if (input.isDefault) await tx.update(pipelines).set({ isDefault: false });
  const [p] = await tx
    .insert(pipelines)
    .values({ tenantId, name: input.name, isDefault: input.isDefault ?? false })
    .returning();
  if (!p) throw new Error("pipeline insert returned nothing");
  await tx.insert(stages).values(
    input.stages.map((s, position) => ({
      tenantId,
      pipelineId: p.id,
      name: s.name,
      position,
      probability: probabilityFor(s.category ?? "open", s.probability),
      category: s.category ?? "open",
    })),
  );
  return p;
}

/** A pipeline with its ordered stages (at least one open stage, and a won and a lost one). */
export async function createPipeline(
  db: Database,
  actor: SalesActor,
  input: { name: string; isDefault?: boolean; stages: StageInput[] },
) {
  const categories = new Set(input.stages.map((s) => s.category ?? "open"));
  for (const needed of ["open", "won", "lost"] as const) {
    if (!categories.has(needed))
      throw new AppError("invalid_request", `stages: needs at least one ${needed} stage`);
  }
  return withTenant(db, actor.tenantId, async (tx) => {
    const p = await insertPipeline(tx, actor.tenantId, input);
    await audit(tx, actor, "pipeline.created", { type: "pipeline", id: p.id });
    return pipelineView(tx, p);
  });
}

export async function listPipelines(db: Database, tenantId: string) {
  return withTenant(db, tenantId, async (tx) => {
    const rows = await tx.select().from(pipelines).orderBy(asc(pipelines.createdAt)).limit(100);
    return Promise.all(rows.map((p) => pipelineView(tx, p)));
  });
}

export async function getPipelineRow(tx: Tx, id: string) {
  const [p] = await tx.select().from(pipelines).where(eq(pipelines.id, id));
  if (!p) throw notFound("pipeline");
  return p;
}

export async function getPipeline(db: Database, tenantId: string, id: string) {
  return withTenant(db, tenantId, async (tx) => pipelineView(tx, await getPipelineRow(tx, id)));
}

/** The pipeline to use when none is named: the default one, else the oldest. */
export async function defaultPipelineId(tx: Tx): Promise<string> {
  const [p] = await tx
    .select({ id: pipelines.id })
    .from(pipelines)
    .orderBy(desc(pipelines.isDefault), asc(pipelines.createdAt))
    .limit(1);
  if (!p) throw new AppError("no_pipeline", "pipelineId: create a pipeline first");
  return p.id;
}

/** A pipeline keeps at least one open, one won and one lost stage: deals can always move and close. */
function requireEveryCategory(categories: StageCategory[], field: string) {
  for (const needed of ["open", "won", "lost"] as const) {
    if (!categories.includes(needed))
      throw new AppError("stage_required", `${field}: the pipeline needs at least one ${needed} stage`);
  }
}

async function stagesOf(tx: Tx, pipelineId: string) {
  return tx.select().from(stages).where(eq(stages.pipelineId, pipelineId)).orderBy(asc(stages.position));
}

async function stageRow(tx: Tx, pipelineId: string, stageId: string) {
  const [s] = await tx
    .select()
    .from(stages)
    .where(and(eq(stages.pipelineId, pipelineId), eq(stages.id, stageId)));
  if (!s) throw notFound("stage");
  return s;
}

async function dealsInStage(tx: Tx, stageId: string): Promise<number> {
  const [row] = await tx.select({ n: count() }).from(deals).where(eq(deals.stageId, stageId));
  return row?.n ?? 0;
}

/** Won stages are 100 %, lost ones 0 %, whatever was asked. */
const probabilityFor = (category: StageCategory, probability: number) =>
  category === "won" ? 100 : category === "lost" ? 0 : probability;

/** Positions 0..n-1 in the given order. */
async function renumber(tx: Tx, ids: string[]) {
  if (ids.length === 0) return;
  await tx.execute(sql`
    update stages s set position = o.position - 1
    from unnest(ARRAY[${sql.join(
      ids.map((id) => sql`${id}`),
      sql`, `,
    )}]::uuid[]) with ordinality as o(id, position)
    where s.id = o.id`);
}

export async function updatePipeline(
  db: Database,
  actor: SalesActor,
  id: string,
  input: { name?: string; isDefault?: boolean },
) {
  return withTenant(db, actor.tenantId, async (tx) => {
    await getPipelineRow(tx, id);
    if (input.isDefault) await tx.update(pipelines).set({ isDefault: false });
    const [p] = await tx.update(pipelines).set(input).where(eq(pipelines.id, id)).returning();
    if (!p) throw notFound("pipeline");
    await audit(tx, actor, "pipeline.updated", { type: "pipeline", id }, { fields: Object.keys(input) });
    return pipelineView(tx, p);
  });
}

/** Deletes a pipeline without deals (its stages go with it); one with deals is a 409. */
export async function deletePipeline(db: Database, actor: SalesActor, id: string): Promise<void> {
  await withTenant(db, actor.tenantId, async (tx) => {
    await getPipelineRow(tx, id);
    const [row] = await tx.select({ n: count() }).from(deals).where(eq(deals.pipelineId, id));
    if (row && row.n > 0)
      throw new AppError("pipeline_has_deals", `the pipeline has ${row.n} deals; delete or move them first`);
    await tx.delete(pipelines).where(eq(pipelines.id, id));
    await audit(tx, actor, "pipeline.deleted", { type: "pipeline", id });
  });
}

/** Adds a stage at `position` (default: last); the stages after it move down one. */
export async function addStage(
  db: Database,
  actor: SalesActor,
  pipelineId: string,
  input: StageInput & { position?: number },
) {
  return withTenant(db, actor.tenantId, async (tx) => {
    const p = await getPipelineRow(tx, pipelineId);
    const current = await stagesOf(tx, pipelineId);
    const category = input.category ?? "open";
    const [created] = await tx
      .insert(stages)
      .values({
        tenantId: actor.tenantId,
        pipelineId,
        name: input.name,
        position: current.length,
        probability: probabilityFor(category, input.probability),
        category,
      })
      .returning({ id: stages.id });
    if (!created) throw new Error("stage insert returned nothing");
    const ids = current.map((s) => s.id);
    ids.splice(Math.min(input.position ?? ids.length, ids.length), 0, created.id);
    await renumber(tx, ids);
    await audit(tx, actor, "stage.created", { type: "stage", id: created.id }, { pipelineId });
    return pipelineView(tx, p);
  });
}

/**
 * Renames a stage or changes its probability (the forecast reads it at query time) or category; the
 * category only while no deal is in the stage, since it decides whether those deals are open or closed.
 */
export async function updateStage(
  db: Database,
  actor: SalesActor,
  pipelineId: string,
  stageId: string,
  input: Partial<StageInput>,
) {
  return withTenant(db, actor.tenantId, async (tx) => {
    const p = await getPipelineRow(tx, pipelineId);
    const current = await stageRow(tx, pipelineId, stageId);
    const category = input.category ?? current.category;
    if (category !== current.category) {
      const n = await dealsInStage(tx, stageId);
      if (n > 0) throw new AppError("stage_has_deals", `category: the stage has ${n} deals; move them first`);
      const others = (await stagesOf(tx, pipelineId)).filter((s) => s.id !== stageId);
      requireEveryCategory([...others.map((s) => s.category), category], "category");
    }
    await tx
      .update(stages)
      .set({
        name: input.name ?? current.name,
        category,
        probability: probabilityFor(category, input.probability ?? current.probability),
      })
      .where(eq(stages.id, stageId));
    await audit(tx, actor, "stage.updated", { type: "stage", id: stageId }, { fields: Object.keys(input) });
    return pipelineView(tx, p);
  });
}

/** Puts the pipeline's stages in the given order: `stageIds` lists every one of them exactly once. */
export async function reorderStages(db: Database, actor: SalesActor, pipelineId: string, stageIds: string[]) {
  return withTenant(db, actor.tenantId, async (tx) => {
    const p = await getPipelineRow(tx, pipelineId);
    const current = new Set((await stagesOf(tx, pipelineId)).map((s) => s.id));
    if (
      stageIds.length !== current.size ||
      new Set(stageIds).size !== stageIds.length ||
      !stageIds.every((id) => current.has(id))
    )
      throw new AppError("invalid_request", "stageIds: must list every stage of the pipeline exactly once");
    await renumber(tx, stageIds);
    await audit(tx, actor, "pipeline.stages_reordered", { type: "pipeline", id: pipelineId });
    return pipelineView(tx, p);
  });
}

/**
 * Deletes a stage. Its deals, if any, move to `moveTo` (a stage of the same pipeline and category, so
 * no deal opens or closes as a side effect) with stage history and deal.stage_changed; without
 * `moveTo` a stage with deals is a 409. The forecast rollups follow through the deal triggers.
 */
export async function deleteStage(
  db: Database,
  actor: SalesActor,
  pipelineId: string,
  stageId: string,
  moveTo?: string,
): Promise<{ moved: number }> {
  return withTenant(db, actor.tenantId, async (tx) => {
    await getPipelineRow(tx, pipelineId);
    const stage = await stageRow(tx, pipelineId, stageId);
    const all = await stagesOf(tx, pipelineId);
    const remaining = all.filter((s) => s.id !== stageId);
    requireEveryCategory(
      remaining.map((s) => s.category),
      "stageId",
    );
    const n = await dealsInStage(tx, stageId);
    let moved = 0;
    if (n > 0) {
      if (!moveTo)
        throw new AppError(
          "stage_has_deals",
          `moveTo: the stage has ${n} deals; name a stage to move them to`,
        );
      const target = remaining.find((s) => s.id === moveTo);
      if (!target || target.category !== stage.category)
        throw new AppError(
          "invalid_request",
          `moveTo: must be another ${stage.category} stage of this pipeline`,
        );
      const now = new Date();
      const rows = await tx
        .update(deals)
        .set({ stageId: target.id, stageEnteredAt: now })
        .where(eq(deals.stageId, stageId))
        .returning({ id: deals.id });
      moved = rows.length;
      await tx.insert(dealStageHistory).values(
        rows.map((d) => ({
          tenantId: actor.tenantId,
          dealId: d.id,
          fromStageId: stageId,
          toStageId: target.id,
          changedBy: actingUserId(actor),
        })),
      );
      await tx.insert(outbox).values(
        rows.map((d) =>
          outboxRow({
            type: "deal.stage_changed",
            tenantId: actor.tenantId,
            actor: eventActor(actor),
            subjects: { deal: d.id },
            properties: { pipelineId, fromStageId: stageId, toStageId: target.id },
          }),
        ),
      );
    }
    await tx.delete(stages).where(eq(stages.id, stageId));
    await renumber(
      tx,
      remaining.map((s) => s.id),
    );
    await audit(tx, actor, "stage.deleted", { type: "stage", id: stageId }, { pipelineId, moveTo, moved });
    return { moved };
  });
}
