import type { Env } from "../env.js";
import { AppError } from "../http/errors.js";
import type { Refusal } from "./conversation-do.js";

// The worker's handle on Conversation DOs. The tenant is part of the object's name, so a caller who
// names another tenant's conversation reaches an empty object, never that conversation.

export function conversationStub(env: Env, tenantId: string, conversationId: string) {
  return env.CONVERSATION.get(env.CONVERSATION.idFromName(`${tenantId}:${conversationId}`));
}

const STATUS = {
  not_found: 404,
  forbidden: 403,
  conflict: 409,
  unavailable: 503,
  rate_limited: 429,
  invalid: 400,
} as const;

/** Runs a DO call, turning its refusals (`[code] message`) into AppErrors with the right status. */
export async function callConversation<R extends PromiseLike<unknown>>(
  fn: () => R,
): Promise<Exclude<Awaited<R>, Refusal>> {
  let result: Awaited<R>;
  try {
    result = await fn();
  } catch (error) {
    // Thrown errors are faults, except from an object still running the code before refusals
    // were returned (a deploy in progress): those carry the same `[code] message`.
    throw refusalError(error instanceof Error ? error.message : String(error)) ?? error;
  }
  if (isRefusal(result)) throw refusalError(result.refused) ?? new Error(result.refused);
  return result as Exclude<Awaited<R>, Refusal>;
}

const isRefusal = (value: unknown): value is Refusal =>
  typeof value === "object" && value !== null && typeof (value as Partial<Refusal>).refused === "string";

function refusalError(message: string): AppError | null {
  const m = /^\[(\w+)\]\s*(.*)$/s.exec(message);
  const code = m?.[1] as keyof typeof STATUS | undefined;
  return code && code in STATUS ? new AppError(STATUS[code], code, m?.[2] ?? message) : null;
}
