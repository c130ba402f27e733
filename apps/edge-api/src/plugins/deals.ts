import { type Database, deals, stages, type Tx, withTenant } from "@autopilot/db";
import { DealUpsert } from "@autopilot/sdk";
import { asc, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { systemActor } from "../domain/crm/actor.js";
import { changeDeal, getDealRow, insertDeal } from "../domain/deals/deals.js";
import { defaultPipelineId } from "../domain/deals/pipelines.js";
import { AppError } from "../domain/errors.js";
import { changesOf } from "./changes-feed.js";
import type { Install } from "./storage.js";

// The deals capability: read (deals:read) and create-or-update (deals:write), inside the install's
// tenant, through the same domain code as the API (stage history, deal.won/lost events, forecast).
// A deal's stage travels by name, so another CRM's pipeline needs no ids of ours.

type Row = typeof deals.$inferSelect;
type Stage = typeof stages.$inferSelect;

const view = (d: Row, stage: Pick<Stage, "name" | "category">) => ({
  id: d.id,
  title: d.title,
  amount: d.amount,
  currency: d.currency,
  pipelineId: d.pipelineId,
  stage: stage.name,
  status: stage.category,
  expectedCloseDate: d.expectedCloseDate,
  contactId: d.contactId,
  companyId: d.companyId,
  createdAt: d.createdAt.toISOString(),
  updatedAt: d.updatedAt.toISOString(),
});

/** Deals with their stages' names, by id. */
async function load(tx: Tx, ids: string[]) {
  if (ids.length === 0) return new Map<string, ReturnType<typeof view>>();
  const rows = await tx
    .select({ deal: deals, name: stages.name, category: stages.category })
    .from(deals)
    .innerJoin(stages, eq(stages.id, deals.stageId))
    .where(inArray(deals.id, ids));
  return new Map(rows.map((r) => [r.deal.id, view(r.deal, r)]));
}

/**
 * The stage a synced deal goes to: the pipeline's stage of that name (when it is open, won or lost as
 * the status says: Pipedrive keeps a won deal in its last stage); else, by status, the first won or
 * lost stage (the current one if it is such already), or back to the first open one when a closed
 * deal is open again. Undefined: where it is (or, new, the first open stage).
 */
function stageFor(
  list: Stage[],
  current: Stage | null,
  input: { stage?: string; status?: "open" | "won" | "lost" },
): Stage | undefined {
  const status = input.status;
  const named = input.stage?.toLowerCase();
  const byName = named ? list.find((s) => s.name.toLowerCase() === named) : undefined;
  if (byName && (!status || byName.category === status)) return byName;
  if (!status || current?.category === status) return undefined;
  return list.find((s) => s.category === status);
}

export async function dealsCall(
  db: Database,
  install: Install,
  method: string,
  args: unknown[],
): Promise<unknown> {
  const actor = systemActor(install.tenantId);
  return withTenant(db, install.tenantId, async (tx) => {
    switch (method) {
      case "get": {
        const id = z.uuid().safeParse(args[0]);
        if (!id.success) return null;
        return (await load(tx, [id.data])).get(id.data) ?? null;
      }
      case "changes": {
        const { changes, next } = await changesOf(tx, "deal", args[0], (ids) => load(tx, ids));
        return { deals: changes, next };
      }
      case "upsert": {
        const input = DealUpsert.parse(args[0]);
        const current = input.id ? (await getDealRow(tx, input.id)).deal : null;
        const pipelineId = current?.pipelineId ?? (await defaultPipelineId(tx));
        const list = await tx
          .select()
          .from(stages)
          .where(eq(stages.pipelineId, pipelineId))
          .orderBy(asc(stages.position));
        const now = current ? (list.find((s) => s.id === current.stageId) ?? null) : null;
        const stage = stageFor(list, now, input);
        const fields = {
          title: input.title,
          ...(input.amount !== undefined ? { amount: input.amount } : {}),
          ...(input.currency ? { currency: input.currency } : {}),
          ...(input.expectedCloseDate !== undefined ? { expectedCloseDate: input.expectedCloseDate } : {}),
          ...(input.contactId !== undefined ? { contactId: input.contactId } : {}),
          ...(input.companyId !== undefined ? { companyId: input.companyId } : {}),
        };
        const reason =
          input.reason ?? (stage?.category === "lost" ? "closed lost (set by a plugin)" : undefined);
        const saved = current
          ? await changeDeal(tx, actor, current.id, { ...fields, stageId: stage?.id, reason })
          : await insertDeal(tx, actor, { ...fields, pipelineId, stageId: stage?.id });
        const out = (await load(tx, [saved.id])).get(saved.id);
        if (!out) throw new AppError("internal", "deals.upsert: the deal was not stored");
        return out;
      }
      default:
        throw new AppError("not_found", `deals.${method}: no such method`);
    }
  });
}
