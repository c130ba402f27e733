// Test helper: plays messages through step, threading the state.
import type { StepContext, StepInput } from "../dialogue/context.js";
import { type ConversationState, initialState } from "../dialogue/state.js";
import { type StepResult, step } from "../step.js";
import { makeCtx } from "./fixtures.js";

export function play(
  messages: (string | StepInput)[],
  overrides: Partial<StepContext> = {},
  start: ConversationState = initialState(),
): { results: StepResult[]; last: StepResult; state: ConversationState } {
  const ctx = makeCtx(overrides);
  const results: StepResult[] = [];
  let state = start;
  for (const m of messages) {
    const r = step(state, typeof m === "string" ? { text: m } : m, ctx);
    results.push(r);
    state = r.state;
  }
  const last = results[results.length - 1] as StepResult;
  return { results, last, state };
}

export const texts = (r: StepResult): string[] => r.replies.map((x) => x.text);
export const types = (r: StepResult): string[] => r.commands.map((c) => c.type);
export const eventTypes = (r: StepResult): string[] => r.events.map((e) => e.type);
