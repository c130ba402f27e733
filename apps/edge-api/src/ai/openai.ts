import OpenAI from "openai";
import type { AiProvider, ChatRequest, ChatResult } from "./provider.js";

export type OpenAiConfig = {
  apiKey: string;
  /** Any OpenAI-compatible endpoint: OpenAI, Azure, Workers AI, Ollama, vLLM. */
  baseUrl?: string;
  model: string;
  timeoutMs: number;
  /** Attempts after the first, on timeouts, 429 and 5xx; each waits with full jitter. */
  retries: number;
};

const RETRYABLE = new Set([408, 409, 429, 500, 502, 503, 504]);

function retryable(error: unknown): boolean {
  if (error instanceof OpenAI.APIConnectionTimeoutError || error instanceof OpenAI.APIConnectionError)
    return true;
  return error instanceof OpenAI.APIError && error.status !== undefined && RETRYABLE.has(error.status);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function openAiProvider(config: OpenAiConfig): AiProvider {
  // The SDK's own retries are off: ours add jitter and share one deadline per call.
  const client = new OpenAI({
    apiKey: config.apiKey,
    baseURL: config.baseUrl,
    timeout: config.timeoutMs,
    maxRetries: 0,
  });
  async function withRetries<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (error) {
        if (attempt >= config.retries || !retryable(error)) throw error;
        await sleep(Math.random() * Math.min(2000, 100 * 2 ** attempt));
      }
    }
  }
  return {
    name: "openai",
    async chat(request: ChatRequest): Promise<ChatResult> {
      const completion = await withRetries(() =>
        client.chat.completions.create({
          model: config.model,
          messages: request.messages,
          tools: request.tools.map((t) => ({
            type: "function" as const,
            function: { name: t.name, description: t.description, parameters: t.parameters },
          })),
          tool_choice: request.tools.length > 0 ? "auto" : undefined,
          temperature: 0,
        }),
      );
      const message = completion.choices[0]?.message;
      const toolCalls = (message?.tool_calls ?? []).flatMap((c) =>
        c.type === "function" ? [{ name: c.function.name, arguments: c.function.arguments }] : [],
      );
      return { text: message?.content ?? null, toolCalls, tokens: completion.usage?.total_tokens ?? 0 };
    },
    async embed(texts: string[]): Promise<number[][]> {
      const result = await withRetries(() => client.embeddings.create({ model: config.model, input: texts }));
      return result.data.map((d) => d.embedding);
    },
  };
}
