import { type ConversationState, type StepResult, step } from "@autopilot/engine";
import { isAiCommand, parseToolCalls, proposalRequest } from "../ai/proposals.js";
import type { AiProvider } from "../ai/provider.js";
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
  ai: TurnAi;
};

/**
 * One engine step, then — only when the engine asked for AI help and a model is available — one model
 * call and a re-run of the same turn with its proposals. The first result is complete on its own, so
 * every failure of the model (timeout, malformed tool call, error, budget) falls back to it.
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
      aiAvailable,
      seed: seedOf(input.conversationId, input.state.turn),
    });
  const aiAvailable = aiConfigured && !overBudget;
  const first = step(input.state, { text: input.text }, ctx(aiAvailable));
  if (!aiConfigured) return { result: first, ai: "offline" };
  if (overBudget) return { result: first, ai: "over_budget" };
  const asks = first.commands.filter(isAiCommand);
  if (asks.length === 0) return { result: first, ai: "not_needed" };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), input.ai.deadlineMs);
  });
  try {
    const answer = await Promise.race([input.ai.provider.chat(proposalRequest(asks, input.text)), deadline]);
    if (answer === "timeout") return { result: first, ai: "timeout" };
    await input.ai.charge(answer.tokens).catch(() => undefined);
    const parsed = parseToolCalls(answer.toolCalls);
    if (parsed.proposals.length === 0)
      return { result: first, ai: parsed.malformed > 0 ? "malformed" : "used" };
    const second = step(input.state, { text: input.text, proposals: parsed.proposals }, ctx(true));
    return { result: second, ai: parsed.malformed > 0 ? "malformed" : "used" };
  } catch {
    return { result: first, ai: "error" };
  } finally {
    clearTimeout(timer);
  }
}
