import { type Database, pipelines, type StageCategory, stages, type Tx, withTenant } from "@autopilot/db";
import { asc, eq } from "drizzle-orm";
import { AppError, notFound } from "../../http/errors.js";
import { audit } from "../audit.js";
import type { SalesActor } from "../crm/actor.js";

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

/** A pipeline with its ordered stages (at least one open stage, and a won and a lost one). */
export async function createPipeline(
  db: Database,
  actor: SalesActor,
  input: { name: string; isDefault?: boolean; stages: StageInput[] },
) {
  const categories = new Set(input.stages.map((s) => s.category ?? "open"));
  for (const needed of ["open", "won", "lost"] as const) {
    if (!categories.has(needed))
      throw new AppError(400, "invalid_request", `stages: needs at least one ${needed} stage`);
  }
  return withTenant(db, actor.tenantId, async (tx) => {
    if (input.isDefault) await tx.update(pipelines).set({ isDefault: false });
    const [p] = await tx
      .insert(pipelines)
      .values({ tenantId: actor.tenantId, name: input.name, isDefault: input.isDefault ?? false })
      .returning();
    if (!p) throw new Error("pipeline insert returned nothing");
    await tx.insert(stages).values(
      input.stages.map((s, position) => ({
        tenantId: actor.tenantId,
        pipelineId: p.id,
        name: s.name,
        position,
        probability: s.category === "won" ? 100 : s.category === "lost" ? 0 : s.probability,
        category: s.category ?? "open",
      })),
    );
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
    .orderBy(asc(pipelines.isDefault), asc(pipelines.createdAt));
  const [d] = await tx
    .select({ id: pipelines.id })
    .from(pipelines)
    .where(eq(pipelines.isDefault, true))
    .limit(1);
  const id = d?.id ?? p?.id;
  if (!id) throw new AppError(409, "no_pipeline", "pipelineId: create a pipeline first");
  return id;
}
