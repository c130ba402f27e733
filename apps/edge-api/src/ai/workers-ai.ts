import type { AiProvider, ChatRequest, ChatResult, ToolCall } from "./provider.js";

// Workers AI through the `AI` binding (env.AI.run): Cloudflare's models with no key and no base URL,
// the natural default for a deployment on Cloudflare. The engine sees the same provider as with an
// OpenAI-compatible endpoint: tool calls it validates and grounds exactly like theirs.
//
// Wire format (Workers AI "traditional" function calling): input { messages, tools: [{ name,
// description, parameters }] }; output { response?, tool_calls?: [{ name, arguments }], usage? },
// where `arguments` is an object (some models send a JSON string, or the OpenAI shape
// { function: { name, arguments } }: all are accepted). Embeddings: input { text: string[] }, output
// { shape: [n, dims], data: number[][] }.

/** The part of Cloudflare's `Ai` binding this uses (a local fake implements the same). */
export type WorkersAiBinding = {
  run(model: string, inputs: Record<string, unknown>, options?: Record<string, unknown>): Promise<unknown>;
};

/** Documented in README: good tool use at a fair price, and a small embedding model. */
export const WORKERS_AI_DEFAULT_MODEL = "@cf/meta/llama-3.3-70b-instruct-fp8-fast";
export const WORKERS_AI_DEFAULT_EMBEDDING_MODEL = "@cf/baai/bge-base-en-v1.5";
/** Workers AI's text-embedding models take at most 100 texts per call. */
export const WORKERS_AI_EMBED_BATCH = 100;

export class WorkersAiError extends Error {}

type RawCall = { name?: unknown; arguments?: unknown; function?: { name?: unknown; arguments?: unknown } };

function toolCallOf(raw: RawCall): ToolCall | null {
  const name = raw.function?.name ?? raw.name;
  const args = raw.function?.arguments ?? raw.arguments ?? {};
  if (typeof name !== "string" || !name) return null;
  return { name, arguments: typeof args === "string" ? args : JSON.stringify(args) };
}

const estimateTokens = (chars: number) => Math.ceil(chars / 4);

function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new WorkersAiError(`Workers AI did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

export function workersAiProvider(config: {
  binding: WorkersAiBinding;
  model: string;
  embeddingModel?: string | null;
  timeoutMs: number;
  retries: number;
}): AiProvider {
  async function attempt<T>(fn: () => Promise<T>): Promise<T> {
    for (let i = 0; ; i++) {
      try {
        return await withDeadline(fn(), config.timeoutMs);
      } catch (error) {
        if (i >= config.retries) throw error;
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(2000, 100 * 2 ** i)));
      }
    }
  }

  async function chat(request: ChatRequest): Promise<ChatResult> {
    const out = (await config.binding.run(config.model, {
      messages: request.messages,
      ...(request.tools.length > 0
        ? {
            tools: request.tools.map((t) => ({
              name: t.name,
              description: t.description,
              parameters: t.parameters,
            })),
          }
        : {}),
      temperature: 0,
    })) as { response?: unknown; tool_calls?: unknown; usage?: { total_tokens?: unknown } } | null;
    if (!out || typeof out !== "object") throw new WorkersAiError("Workers AI answered with no object");
    const calls = Array.isArray(out.tool_calls)
      ? out.tool_calls.flatMap((c) => {
          const call = c && typeof c === "object" ? toolCallOf(c as RawCall) : null;
          return call ? [call] : [];
        })
      : [];
    const text = typeof out.response === "string" ? out.response : null;
    const tokens =
      typeof out.usage?.total_tokens === "number"
        ? out.usage.total_tokens
        : estimateTokens(
            request.messages.reduce((n, m) => n + m.content.length, 0) +
              (text?.length ?? 0) +
              calls.reduce((n, c) => n + c.arguments.length, 0),
          );
    return { text, toolCalls: calls, tokens };
  }

  return {
    name: "workers-ai",
    chat: (request) => attempt(() => chat(request)),
    async embed(texts) {
      const model = config.embeddingModel;
      if (!model) throw new WorkersAiError("no Workers AI embedding model is configured");
      const vectors: number[][] = [];
      for (let i = 0; i < texts.length; i += WORKERS_AI_EMBED_BATCH) {
        const batch = texts.slice(i, i + WORKERS_AI_EMBED_BATCH);
        const out = (await attempt(() => config.binding.run(model, { text: batch }))) as {
          data?: unknown;
        } | null;
        const data = out?.data;
        if (
          !Array.isArray(data) ||
          data.length !== batch.length ||
          !data.every((v) => Array.isArray(v) && v.length > 0)
        )
          throw new WorkersAiError(`Workers AI embeddings: expected ${batch.length} vectors`);
        vectors.push(...(data as number[][]));
      }
      return vectors;
    },
  };
}
