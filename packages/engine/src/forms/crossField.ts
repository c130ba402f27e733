// Cross-field rules (end after start, budget above a product's minimum), checked once their fields are in.
import { evaluateComparison, evaluateCondition } from "../routes/conditions.js";
import type { CrossFieldRule } from "../routes/schema.js";
import { fieldOf, type Scope } from "../routes/variables.js";

export type RuleViolation = { ruleId: string; message: string; fields: string[] };

export function ruleFields(rule: CrossFieldRule): string[] {
  const paths = [
    rule.check.var,
    ...(rule.check.other ? [rule.check.other] : []),
    ...[...(rule.when?.all ?? []), ...(rule.when?.any ?? [])].map((c) => c.var),
  ];
  return [...new Set(paths.map(fieldOf).filter((f): f is string => f !== null))];
}

/**
 * Rules that involve `justCollected`, whose fields are all collected and that fail.
 * Only rules touching the new field are checked, so an earlier answer is not blamed twice.
 */
export function checkCrossFieldRules(
  rules: CrossFieldRule[],
  scope: Scope,
  justCollected: string,
): RuleViolation[] {
  const out: RuleViolation[] = [];
  for (const rule of rules) {
    const fields = ruleFields(rule);
    if (!fields.includes(justCollected)) continue;
    if (!fields.every((f) => scope.fields[f] !== undefined && scope.fields[f] !== null)) continue;
    if (!evaluateCondition(rule.when, scope)) continue;
    if (!evaluateComparison(rule.check, scope)) out.push({ ruleId: rule.id, message: rule.message, fields });
  }
  return out;
}
