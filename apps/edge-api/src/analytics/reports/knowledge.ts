import { type ReportFn, ratio } from "./query.js";
import { groupRows, rollupSums, total } from "./sql.js";

/** Knowledge: answered / unanswered and answer rate per period; the top unanswered questions. */
export const knowledgeReport: ReportFn = async (tx, tenantId, q, tz) => {
  // Unanswered questions are rolled up by normalised text (detail), so the top list needs no raw scan.
  const rows = await rollupSums(
    tx,
    tenantId,
    q,
    tz,
    ["knowledge.answered", "knowledge.unanswered"],
    ["detail"],
  );
  const byPeriod = groupRows(rows, (r) => r.period);
  const out = [...byPeriod.entries()].map(([period, g]) => {
    const answered = total(g, (r) => r.type === "knowledge.answered");
    const unanswered = total(g, (r) => r.type === "knowledge.unanswered");
    return { period, answered, unanswered, answerRate: ratio(answered, answered + unanswered) };
  });
  const questions = groupRows(
    rows.filter((r) => r.type === "knowledge.unanswered"),
    (r) => r.detail,
  );
  const topUnanswered = [...questions.entries()]
    .map(([question, g]) => ({ question, count: total(g, () => true) }))
    .sort((a, b) => b.count - a.count || a.question.localeCompare(b.question))
    .slice(0, 20);
  return { rows: out, topUnanswered };
};
