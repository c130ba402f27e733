import type { AssignableLead, RuleConditions } from "./types.js";

const inList = (list: string[] | undefined, value: string | null) =>
  !list || list.length === 0 || (value !== null && list.some((v) => v.toLowerCase() === value.toLowerCase()));

/** Whether a rule's conditions hold for a lead; every given condition must hold. */
export function ruleMatches(c: RuleConditions, lead: AssignableLead): boolean {
  if (c.minScore !== undefined && lead.score < c.minScore) return false;
  if (c.maxScore !== undefined && lead.score > c.maxScore) return false;
  return (
    inList(c.territories, lead.territory) &&
    inList(c.languages, lead.language) &&
    inList(c.products, lead.product) &&
    inList(c.sources, lead.source)
  );
}
