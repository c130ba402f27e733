import OpenAI from "openai";
import type { ChatCompletionChunk, ChatCompletionCreateParamsBase } from "openai/resources/chat/completions";
import { guardedFetch } from "../lib/address-policy.js";
import type { AiProvider, ChatRequest, ChatResult, ToolCall } from "./provider.js";

export type OpenAiConfig = {
  apiKey: string;
  /** Any OpenAI-compatible endpoint: OpenAI, Azure, Workers AI, Ollama, vLLM. */
  baseUrl?: string;
  model: string;
  /** Per attempt, for the whole answer: a streamed body that stalls is cut off too. */
  timeoutMs: number;
  /** Attempts after the first, on timeouts, broken connections or streams, 429 and 5xx; each waits with full jitter. */
  retries: number;
  /** Chat completions as SSE (`stream: true`), assembled here; false asks for one JSON body. */
  stream: boolean;
};

const RETRYABLE = new Set([408, 409, 429, 500, 502, 503, 504]);

function retryable(error: unknown): boolean {
  if (error instanceof OpenAI.APIConnectionTimeoutError || error instanceof OpenAI.APIConnectionError)
    return true;
  return error instanceof OpenAI.APIError && error.status !== undefined && RETRYABLE.has(error.status);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Rough tokens for text (~4 characters each), for servers that ignore `stream_options.include_usage`. */
const estimateTokens = (chars: number) => Math.ceil(chars / 4);

/** The SDK's client for a tenant's endpoint: no SDK retries (ours add jitter and share one deadline per call). */
export function openAiClient(config: {
  apiKey: string;
  baseUrl?: string | undefined;
  timeoutMs: number;
}): OpenAI {
  return new OpenAI({
    apiKey: config.apiKey,
    baseURL: config.baseUrl,
    timeout: config.timeoutMs,
    maxRetries: 0,
    // Redirects re-checked against the address policy (a public endpoint cannot send us inside).
    fetch: guardedFetch,
  });
}

export function openAiProvider(config: OpenAiConfig): AiProvider {
  const client = openAiClient(config);
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
  // Only the wire fields: the request's callback is ours.
  const params = (request: ChatRequest): ChatCompletionCreateParamsBase => ({
    model: config.model,
    messages: request.messages,
    tools: request.tools.map((t) => ({
      type: "function" as const,
      function: { name: t.name, description: t.description, parameters: t.parameters },
    })),
    tool_choice: request.tools.length > 0 ? "auto" : undefined,
    temperature: 0,
  });

  async function complete(request: ChatRequest): Promise<ChatResult> {
    const completion = await client.chat.completions.create({ ...params(request), stream: false });
    const message = completion.choices[0]?.message;
    const toolCalls = (message?.tool_calls ?? []).flatMap((c) =>
      c.type === "function" ? [{ name: c.function.name, arguments: c.function.arguments }] : [],
    );
    return { text: message?.content ?? null, toolCalls, tokens: completion.usage?.total_tokens ?? 0 };
  }

  /**
   * One streamed attempt, assembled into the same result as `complete`. The SDK's timeout ends when
   * the headers arrive, so our own timer covers the body; an abort ends the SDK's iteration silently,
   * hence the checks after the loop. A stream that breaks, stalls or ends before its finish_reason
   * is a connection error (retried, then the caller's fallback), never a partial answer.
   */
  async function stream(request: ChatRequest): Promise<ChatResult> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), config.timeoutMs);
    let text: string | null = null;
    const calls: ToolCall[] = [];
    let finished = false;
    let usage: ChatCompletionChunk["usage"] = null;
    try {
      const chunks = await client.chat.completions.create(
        { ...params(request), stream: true, stream_options: { include_usage: true } },
        { signal: abort.signal },
      );
      for await (const chunk of chunks) {
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices.find((c) => c.index === 0);
        if (!choice) continue;
        if (choice.delta.content) text = (text ?? "") + choice.delta.content;
        // Tool calls arrive as fragments keyed by index: id and name first, then pieces of arguments.
        for (const d of choice.delta.tool_calls ?? []) {
          const call = calls[d.index] ?? { name: "", arguments: "" };
          calls[d.index] = call;
          if (d.function?.name) call.name = d.function.name;
          if (d.function?.arguments) {
            call.arguments += d.function.arguments;
            request.onToolArguments?.(call.name, call.arguments);
          }
        }
        if (choice.finish_reason) finished = true;
      }
    } catch (error) {
      if (abort.signal.aborted) throw new OpenAI.APIConnectionTimeoutError();
      if (error instanceof OpenAI.APIError) throw error;
      throw new OpenAI.APIConnectionError({ message: "the stream broke", cause: error as Error });
    } finally {
      clearTimeout(timer);
    }
    if (abort.signal.aborted) throw new OpenAI.APIConnectionTimeoutError();
    if (!finished)
      throw new OpenAI.APIConnectionError({ message: "the stream ended before its finish_reason" });
    const toolCalls = calls.filter((c) => c !== undefined);
    const tokens =
      usage?.total_tokens ??
      estimateTokens(
        request.messages.reduce((n, m) => n + m.content.length, 0) +
          (text?.length ?? 0) +
          toolCalls.reduce((n, c) => n + c.name.length + c.arguments.length, 0),
      );
    return { text, toolCalls, tokens };
  }

  return {
    name: "openai",
    chat: (request) => withRetries(() => (config.stream ? stream(request) : complete(request))),
    async embed(texts: string[]): Promise<number[][]> {
      const result = await withRetries(() => client.embeddings.create({ model: config.model, input: texts }));
      return result.data.map((d) => d.embedding);
    },
  };
}
