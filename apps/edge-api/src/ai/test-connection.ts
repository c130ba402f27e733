import OpenAI from "openai";
import { openAiClient } from "./openai.js";
import { type WorkersAiBinding, workersAiProvider } from "./workers-ai.js";

export type ConnectionTest =
  | { ok: true; model: string; latencyMs: number }
  | { ok: false; model: string | null; error: string };

/**
 * "Test connection" in the dashboard: one small chat completion with the given endpoint, key and model,
 * no retries, a short deadline, and a message saying what went wrong in words an admin can act on. A
 * chat call (not GET /models) because that is what the assistant will do, and not every
 * OpenAI-compatible server lists its models.
 */
export async function testOpenAiConnection(config: {
  apiKey: string;
  baseUrl?: string | undefined;
  model: string;
  timeoutMs: number;
}): Promise<ConnectionTest> {
  const client = openAiClient(config);
  const started = performance.now();
  try {
    await client.chat.completions.create({
      model: config.model,
      messages: [{ role: "user", content: "Reply with the word OK." }],
    });
    return { ok: true, model: config.model, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, model: config.model, error: describe(error, config) };
  }
}

function describe(error: unknown, config: { baseUrl?: string | undefined; timeoutMs: number }): string {
  const where = config.baseUrl ?? "api.openai.com";
  if (error instanceof OpenAI.APIConnectionTimeoutError)
    return `No answer from ${where} within ${Math.round(config.timeoutMs / 1000)} s.`;
  if (error instanceof OpenAI.APIConnectionError) return `Could not reach ${where}.`;
  if (error instanceof OpenAI.AuthenticationError) return "The endpoint refused the API key (401).";
  if (error instanceof OpenAI.PermissionDeniedError) return "The key may not use this model (403).";
  if (error instanceof OpenAI.NotFoundError) return "The model or the endpoint was not found (404).";
  if (error instanceof OpenAI.RateLimitError) return "The endpoint is rate limiting this key (429).";
  if (error instanceof OpenAI.APIError)
    return `The endpoint answered ${error.status ?? "an error"}: ${error.message}`.slice(0, 300);
  return "The endpoint gave an answer that is not an OpenAI-compatible chat completion.";
}

/** The same test through the Workers AI binding: one small chat, no retries, the same deadline. */
export async function testWorkersAi(config: {
  binding: WorkersAiBinding | undefined;
  model: string;
  timeoutMs: number;
}): Promise<ConnectionTest> {
  if (!config.binding)
    return {
      ok: false,
      model: config.model,
      error: 'Workers AI is not bound in this deployment: add [ai] binding = "AI" to wrangler.toml.',
    };
  const provider = workersAiProvider({
    binding: config.binding,
    model: config.model,
    timeoutMs: config.timeoutMs,
    retries: 0,
  });
  const started = performance.now();
  try {
    await provider.chat({ messages: [{ role: "user", content: "Reply with the word OK." }], tools: [] });
    return { ok: true, model: config.model, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      ok: false,
      model: config.model,
      error: `Workers AI: ${String(error instanceof Error ? error.message : error)}`.slice(0, 300),
    };
  }
}
