// LLM proposals: "the model proposes, the engine disposes". Each proposal is parsed with zod and checked
// against the state; anything invalid or unsafe is dropped (and recorded) so the deterministic path runs.
import { z } from "zod";
import { extractField } from "../forms/extract.js";
import type { ExtractContext } from "../forms/types.js";
import { type GroundedAnswer, groundAnswer } from "../knowledge/grounding.js";
import type { KnowledgePolicy } from "../knowledge/policy.js";
import { inventedTokens } from "../knowledge/text.js";
import type { Route } from "../routes/schema.js";
import type { JsonValue } from "../routes/variables.js";
import type { KnowledgeChunk } from "./context.js";
import type { EngineEvent } from "./events.js";
import type { ConversationState } from "./state.js";

export const ProposalSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("choose_route"), routeId: z.string().min(1) }),
  z.object({
    type: z.literal("fill_field"),
    field: z.string().min(1),
    value: z.union([z.string().max(2000), z.number()]),
  }),
  z.object({ type: z.literal("rephrase"), stepId: z.string().min(1), text: z.string().min(1).max(2000) }),
  z.object({
    type: z.literal("answer_with_citations"),
    text: z.string().min(1).max(4000),
    citations: z.array(z.string().min(1)).min(1).max(20),
  }),
  z.object({ type: z.literal("handoff"), reason: z.string().min(1).max(200) }),
]);
export type Proposal = z.infer<typeof ProposalSchema>;

export type AcceptedProposals = {
  routeId?: string;
  field?: { name: string; value: JsonValue };
  /** Rephrasings by say-step id; checked against the rendered line when the step runs. */
  rephrase: Map<string, string>;
  answer?: GroundedAnswer;
  handoff?: string;
};

export { inventedTokens };

/** Safe rephrasing: no template syntax, no new links/emails/numbers, not wildly longer. */
export function checkRephrase(original: string, rephrased: string): string | null {
  if (/\{\{|\}\}/.test(rephrased)) return "adds_template_variables";
  if (inventedTokens(rephrased, original).length > 0) return "adds_links_or_numbers";
  if (rephrased.length > original.length * 2 + 80) return "too_long";
  return null;
}

type Check = {
  state: ConversationState;
  routes: Route[];
  knowledge: KnowledgeChunk[];
  knowledgePolicy?: KnowledgePolicy;
  extract: ExtractContext;
};

export function acceptProposals(
  raw: unknown[] | undefined,
  c: Check,
): { accepted: AcceptedProposals; events: EngineEvent[] } {
  const accepted: AcceptedProposals = { rephrase: new Map() };
  const events: EngineEvent[] = [];
  const reject = (proposal: string, reason: string) =>
    events.push({ type: "proposal.rejected", proposal, reason });
  for (const item of raw ?? []) {
    const parsed = ProposalSchema.safeParse(item);
    if (!parsed.success) {
      const type = (item as { type?: unknown } | null)?.type;
      reject(typeof type === "string" ? type.slice(0, 40) : "unknown", "schema_invalid");
      continue;
    }
    const p = parsed.data;
    const reason = check(p, c, accepted);
    if (reason) reject(p.type, reason);
    else events.push({ type: "proposal.accepted", proposal: p.type });
  }
  return { accepted, events };
}

/** Returns a rejection reason, or null after recording the proposal as accepted. */
function check(p: Proposal, c: Check, out: AcceptedProposals): string | null {
  switch (p.type) {
    case "choose_route": {
      if (out.routeId) return "duplicate";
      if (c.state.active) return "route_already_active";
      const route = c.routes.find((r) => r.id === p.routeId);
      if (!route) return "unknown_route";
      if (!route.enabled) return "route_disabled";
      out.routeId = route.id;
      return null;
    }
    case "fill_field": {
      if (out.field) return "duplicate";
      const active = c.state.active;
      const step = active
        ? c.routes.find((r) => r.id === active.routeId)?.steps.find((s) => s.id === active.stepId)
        : undefined;
      if (step?.kind !== "ask" || step.field.name !== p.field) return "field_not_asked";
      // The model's value must pass the same extractor and validation as a typed answer.
      const result = extractField(step.field, String(p.value), c.extract);
      if (!result.ok) return `invalid_value:${result.reason}`;
      out.field = { name: p.field, value: result.value };
      return null;
    }
    case "rephrase": {
      if (out.rephrase.has(p.stepId)) return "duplicate";
      if (/\{\{|\}\}/.test(p.text)) return "adds_template_variables";
      out.rephrase.set(p.stepId, p.text);
      return null;
    }
    case "answer_with_citations": {
      if (out.answer) return "duplicate";
      // The grounding check: every citation must name a chunk given this turn, and only sentences the
      // cited chunks support (and no forbidden claim) survive; nothing left means no answer.
      const grounded = groundAnswer(p, c.knowledge, c.knowledgePolicy);
      if (!grounded.ok) return grounded.reason;
      out.answer = grounded.answer;
      return null;
    }
    case "handoff":
      if (out.handoff) return "duplicate";
      out.handoff = p.reason;
      return null;
  }
}
