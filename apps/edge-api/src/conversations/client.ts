import type { Env } from "../env.js";
import { AppError } from "../http/errors.js";

// The worker's handle on Conversation DOs. The tenant is part of the object's name, so a caller who
// names another tenant's conversation reaches an empty object, never that conversation.

export function conversationStub(env: Env, tenantId: string, conversationId: string) {
  return env.CONVERSATION.get(env.CONVERSATION.idFromName(`${tenantId}:${conversationId}`));
}

const STATUS = { not_found: 404, conflict: 409, unavailable: 503, rate_limited: 429, invalid: 400 } as const;

/** Runs a DO call, turning its `[code] message` errors into AppErrors with the right status. */
export async function callConversation<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const m = /^\[(\w+)\]\s*(.*)$/s.exec(message);
    const code = m?.[1] as keyof typeof STATUS | undefined;
    if (code && code in STATUS) throw new AppError(STATUS[code], code, m?.[2] ?? message);
    throw error;
  }
}
