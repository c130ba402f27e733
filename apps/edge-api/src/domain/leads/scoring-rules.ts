import { type Database, scoringRules, withTenant } from "@autopilot/db";
import type { ScoringRule } from "@autopilot/engine";
import { audit } from "../audit.js";
import type { SalesActor } from "../crm/actor.js";
import { loadScoringRules } from "./rescore.js";

/** Replaces the tenant's scoring rules with `rules`, in order (all or nothing). */
export async function replaceScoringRules(db: Database, actor: SalesActor, rules: ScoringRule[]) {
  return withTenant(db, actor.tenantId, async (tx) => {
    await tx.delete(scoringRules);
    if (rules.length > 0) {
      await tx.insert(scoringRules).values(
        rules.map(({ kind, label, points, ...rule }, position) => ({
          tenantId: actor.tenantId,
          kind,
          label,
          points,
          rule,
          position,
        })),
      );
    }
    await audit(
      tx,
      actor,
      "scoring_rules.replaced",
      { type: "scoring_rules", id: actor.tenantId },
      { count: rules.length },
    );
    return loadScoringRules(tx);
  });
}

export const listScoringRules = (db: Database, tenantId: string) =>
  withTenant(db, tenantId, loadScoringRules);
