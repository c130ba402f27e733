import { aiSettings, type Database, withTenant } from "@autopilot/db";
import { eq } from "drizzle-orm";
import OpenAI from "openai";
import { guardedFetch } from "../lib/address-policy.js";
import { open } from "../lib/secret-box.js";
import { type AiKeys, baseUrlRefused } from "./keys.js";
import { type WorkersAiBinding, workersAiProvider } from "./workers-ai.js";

// Embeddings from the tenant's OpenAI-compatible provider (its /v1/embeddings, same base URL and key
// as chat), used by knowledge retrieval when the tenant names an embedding model. Without one
// (or without a key that opens) there is no embedder and retrieval stays lexical.

export type Embedder = {
  model: string;
  /** One vector per text, in order, each normalised to length 1 (so cosine similarity = dot product). */
  embed(texts: string[]): Promise<number[][]>;
};

/** Per call; an embedding batch is small, and a slow provider must not hold a job or a turn. */
export const EMBEDDING_TIMEOUT_MS = 15_000;

export function normalise(v: number[]): number[] {
  let sum = 0;
  for (const x of v) sum += x * x;
  const norm = Math.sqrt(sum);
  return norm > 0 ? v.map((x) => x / norm) : v;
}

export function openAiEmbedder(config: {
  apiKey: string;
  baseUrl?: string;
  model: string;
  timeoutMs?: number;
}): Embedder {
  const client = new OpenAI({
    apiKey: config.apiKey,
    baseURL: config.baseUrl,
    timeout: config.timeoutMs ?? EMBEDDING_TIMEOUT_MS,
    maxRetries: 0,
    // Redirects re-checked against the address policy (a public endpoint cannot send us inside).
    fetch: guardedFetch,
  });
  return {
    model: config.model,
    async embed(texts) {
      if (texts.length === 0) return [];
      // "float": the SDK would ask for base64, which several compatible servers (Ollama…) lack.
      const res = await client.embeddings.create({
        model: config.model,
        input: texts,
        encoding_format: "float",
      });
      const out: number[][] = new Array(texts.length);
      for (const d of res.data) out[d.index] = normalise(d.embedding);
      if (out.length !== texts.length || out.some((v) => !Array.isArray(v) || v.length === 0))
        throw new Error(`embeddings: expected ${texts.length} vectors, got ${res.data.length}`);
      return out;
    },
  };
}

/** Workers AI's text embeddings (ai/workers-ai.ts), normalised like the others. */
export function workersAiEmbedder(binding: WorkersAiBinding, model: string): Embedder {
  const provider = workersAiProvider({
    binding,
    model,
    embeddingModel: model,
    timeoutMs: EMBEDDING_TIMEOUT_MS,
    retries: 0,
  });
  return { model, embed: async (texts) => (await provider.embed(texts)).map(normalise) };
}

/**
 * The tenant's embedder, or null: offline, no embedding model, a key that cannot be opened, a base URL
 * the address policy refuses here, or Workers AI without the AI binding.
 */
export async function tenantEmbedder(db: Database, tenantId: string, keys: AiKeys): Promise<Embedder | null> {
  const masterKey = keys.AI_MASTER_KEY;
  if (!masterKey && !keys.AI) return null;
  const [row] = await withTenant(db, tenantId, (tx) =>
    tx
      .select({
        provider: aiSettings.provider,
        baseUrl: aiSettings.baseUrl,
        embeddingModel: aiSettings.embeddingModel,
        apiKeyCiphertext: aiSettings.apiKeyCiphertext,
      })
      .from(aiSettings)
      .where(eq(aiSettings.tenantId, tenantId)),
  );
  if (row?.provider === "workers-ai" && row.embeddingModel && keys.AI)
    return workersAiEmbedder(keys.AI, row.embeddingModel);
  if (row?.provider !== "openai" || !row.embeddingModel || !row.apiKeyCiphertext || !masterKey) return null;
  if (baseUrlRefused(row.baseUrl, keys)) return null;
  const apiKey = await open(masterKey, row.apiKeyCiphertext, tenantId).catch(() => null);
  if (!apiKey) return null;
  return openAiEmbedder({ apiKey, baseUrl: row.baseUrl ?? undefined, model: row.embeddingModel });
}
