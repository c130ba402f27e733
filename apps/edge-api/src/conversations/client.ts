import { AppError, isErrorCode } from "../domain/errors.js";
import type { Env } from "../env.js";
import type { Refusal } from "./conversation-do.js";
import type { ConversationView, TurnResult } from "./protocol.js";

// The worker's handle on Conversation DOs. The tenant is part of the object's name, so a caller who
// names another tenant's conversation reaches an empty object, never that conversation.

export function conversationStub(env: Env, tenantId: string, conversationId: string) {
  return env.CONVERSATION.get(env.CONVERSATION.idFromName(`${tenantId}:${conversationId}`));
}

/**
 * Runs a DO call, turning its refusals (`{refused: {code, message}}`) into AppErrors. The caller names
 * what the method answers (TurnResult, ConversationView): the RPC stub's types lose it (a record of
 * unknown values does not survive Rpc's serialisable mapping).
 */
export async function callConversation<T extends TurnResult | ConversationView>(
  fn: () => Promise<unknown>,
): Promise<T> {
  const result = await fn();
  if (isRefusal(result)) throw new AppError(result.refused.code, result.refused.message);
  return result as T;
}

const isRefusal = (value: unknown): value is Refusal => {
  const refused = (value as Partial<Refusal> | null)?.refused;
  return typeof refused === "object" && refused !== null && isErrorCode(refused.code);
};
