import {
  type Asked,
  type BusinessHours,
  type ConversationState,
  groundAnswer,
  type KnowledgeChunk,
  type KnowledgePolicy,
  knowledgeQuestionOf,
  onTopic,
  type Proposal,
  type StepResult,
  splitSentences,
  step,
} from "@autopilot/engine";
import { isAiCommand, parseToolCalls, proposalRequest } from "../ai/proposals.js";
import type { AiProvider, ChatRequest, ChatResult } from "../ai/provider.js";
import type { TurnKnowledge } from "../knowledge/answer.js";
import { DRAFT_TOOL, draftRequest, parseDraft, partialDraft } from "../knowledge/draft.js";
import type { RoutesSnapshot } from "../route-config/snapshot.js";
import { engineContext, seedOf } from "./engine-context.js";

/** The AI side of a turn: a provider, and the tenant's budget (checked before, charged after a call). */
export type TurnAi = {
  provider: AiProvider;
  /** Resolves to false when today's token budget is spent. */
  allowed(): Promise<boolean>;
  charge(tokens: number): Promise<void>;
  /** Per-call deadline; on expiry the deterministic result stands. */
  deadlineMs: number;
};

export type AiOutcome = "not_needed" | "offline" | "over_budget" | "used" | "malformed" | "timeout" | "error";

export type TurnOutput = { result: StepResult; ai: AiOutcome };

type TurnInput = {
  state: ConversationState;
  text: string;
  snapshot: RoutesSnapshot;
  conversationId: string;
  channel: string;
  timeZone: string;
  /** The tenant's business hours pinned at start (absent: always open). */
  businessHours?: BusinessHours;
  ai: TurnAi;
  /**
   * A drafted answer as it streams in: each time more of it is grounded, the grounded text so far
   * (whole sentences, each checked against the chunks the draft cites). Never anything else.
   */
  onDraft?: (text: string) => void;
  /**
   * Retrieval for the engine's answer_from_knowledge: its query, then the customer's words. Absent, the
   * host answers that command itself.
   */
  knowledge?: (queries: string[]) => Promise<TurnKnowledge>;
};

/**
 * One engine step, then — only when the engine asked for AI help and a model is available — one model
 * call and a re-run of the same turn with its proposals. The first result is complete on its own, so
 * every failure of the model (timeout, malformed tool call, error, budget) falls back to it.
 * When the engine asks for knowledge, the chunks are retrieved and the turn re-run with them (and, with
 * a model, a drafted answer the engine grounds); a failed retrieval re-runs with none ("I don't know").
 */
export async function runTurn(input: TurnInput): Promise<TurnOutput> {
  const aiConfigured = input.ai.provider.name !== "offline";
  const overBudget = aiConfigured && !(await input.ai.allowed().catch(() => false));
  const ctx = (aiAvailable: boolean) =>
    engineContext({
      routes: input.snapshot.routes,
      model: input.snapshot.model,
      routesVersion: input.snapshot.version,
      channel: input.channel,
      timeZone: input.timeZone,
      businessHours: input.businessHours,
      aiAvailable,
      seed: seedOf(input.conversationId, input.state.turn),
      retrievesKnowledge: input.knowledge !== undefined,
    });
  const aiAvailable = aiConfigured && !overBudget;
  const first = step(input.state, { text: input.text }, ctx(aiAvailable));
  let result = first;
  let proposals: Proposal[] | undefined;
  let ai: AiOutcome = !aiConfigured ? "offline" : overBudget ? "over_budget" : "not_needed";
  const asks = aiAvailable ? first.commands.filter(isAiCommand) : [];
  if (asks.length > 0) {
    const answer = await callModel(input.ai, proposalRequest(asks, input.text));
    if (typeof answer === "string") ai = answer;
    else {
      const parsed = parseToolCalls(answer.toolCalls);
      ai = parsed.malformed > 0 ? "malformed" : "used";
      if (parsed.proposals.length > 0) {
        proposals = parsed.proposals;
        result = step(input.state, { text: input.text, proposals }, ctx(true));
      }
    }
  }

  const ask = result.commands.find((c) => c.type === "answer_from_knowledge");
  if (!ask || !input.knowledge) return { result, ai };
  const found = await input.knowledge([ask.query, input.text]).catch(() => null);
  const knowledge = found?.chunks ?? [];
  const withKnowledge = (drafted: Proposal[]) =>
    step(
      input.state,
      { text: input.text, proposals: [...(proposals ?? []), ...drafted], knowledge },
      { ...ctx(aiAvailable), knowledgePolicy: found?.policy },
    );
  result = withKnowledge([]);
  // The model drafts only when the engine chose to answer from knowledge (a playbook may have won), and
  // a model that just failed this turn is not asked again (the turn would wait twice).
  const answering = result.events.some(
    (e) => e.type === "knowledge.answered" || e.type === "knowledge.unanswered",
  );
  if (answering && aiAvailable && ai !== "timeout" && ai !== "error" && knowledge.length > 0) {
    const request = draftRequest(ask.question ?? input.text, knowledge);
    if (input.onDraft)
      request.onToolArguments = streamGrounded(
        knowledgeQuestionOf(input.text, input.state),
        knowledge,
        found?.policy,
        input.onDraft,
      );
    const answer = await callModel(input.ai, request);
    if (typeof answer === "string") ai = answer;
    else {
      const draft = parseDraft(answer.toolCalls);
      ai = "used";
      if (draft) result = withKnowledge([draft]);
    }
  }
  return { result, ai };
}

/** One model call within the turn's deadline, its tokens charged; failures as an outcome. */
async function callModel(ai: TurnAi, request: ChatRequest): Promise<ChatResult | "timeout" | "error"> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), ai.deadlineMs);
  });
  try {
    const answer = await Promise.race([ai.provider.chat(request), deadline]);
    if (answer !== "timeout") await ai.charge(answer.tokens).catch(() => undefined);
    return answer;
  } catch {
    return "error";
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The draft tool's arguments as they stream, turned into what may be shown: once the citations are
 * known and are about the question, the complete sentences so far, grounded exactly as the final
 * answer will be (a sentence the chunks do not support is never shown). Calls `show` only when the grounded text grew.
 */
function streamGrounded(
  asked: Asked,
  knowledge: KnowledgeChunk[],
  policy: KnowledgePolicy | undefined,
  show: (text: string) => void,
): (name: string, soFar: string) => void {
  let shown = "";
  return (name, soFar) => {
    if (name !== DRAFT_TOOL) return;
    const draft = partialDraft(soFar);
    if (!draft.citations || draft.citations.length === 0) return;
    // The same test the engine applies to the finished draft: chunks about something else are not shown.
    const cited = knowledge.filter((c) => draft.citations?.includes(c.id));
    if (!onTopic(asked, cited)) return;
    const sentences = splitSentences(draft.text);
    // The last sentence may still be growing, unless the text is complete.
    const complete = draft.done ? sentences : sentences.slice(0, -1);
    if (complete.length === 0) return;
    const grounded = groundAnswer(
      { text: complete.join(" "), citations: draft.citations },
      knowledge,
      policy,
    );
    if (!grounded.ok || grounded.answer.text.length <= shown.length) return;
    shown = grounded.answer.text;
    show(shown);
  };
}
