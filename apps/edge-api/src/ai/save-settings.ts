import { aiSettings, type Database, withTenant } from "@autopilot/db";
import { AppError } from "../domain/errors.js";
import { seal } from "../lib/secret-box.js";
import type { AiKeys } from "./keys.js";
import { WORKERS_AI_DEFAULT_EMBEDDING_MODEL, WORKERS_AI_DEFAULT_MODEL } from "./workers-ai.js";

// Saving the tenant's AI provider. The key is sealed with AES-GCM (the tenant id as associated data)
// and never returned; switching to offline (or to Workers AI, which needs none) forgets it.

export type AiSettingsInput =
  | { provider: "offline"; dailyTokenBudget?: number | undefined }
  | {
      provider: "workers-ai";
      model?: string | undefined;
      embeddingModel?: string | null | undefined;
      dailyTokenBudget?: number | undefined;
    }
  | {
      provider: "openai";
      baseUrl?: string | undefined;
      model: string;
      apiKey: string;
      embeddingModel?: string | null | undefined;
      dailyTokenBudget?: number | undefined;
    };

export type SavedAiSettings = {
  provider: "offline" | "openai" | "workers-ai";
  baseUrl: string | null;
  model: string | null;
  embeddingModel: string | null;
  dailyTokenBudget?: number;
};

export async function saveAiSettings(
  db: Database,
  tenantId: string,
  input: AiSettingsInput,
  keys: AiKeys,
): Promise<SavedAiSettings> {
  if (input.provider === "openai" && !keys.AI_MASTER_KEY)
    throw new AppError("conflict", "AI keys cannot be stored: AI_MASTER_KEY is not configured");
  if (input.provider === "workers-ai" && !keys.AI)
    throw new AppError(
      "conflict",
      'provider: Workers AI is not bound in this deployment (add [ai] binding = "AI" to wrangler.toml)',
    );
  const values =
    input.provider === "workers-ai"
      ? {
          provider: "workers-ai" as const,
          baseUrl: null,
          model: input.model ?? WORKERS_AI_DEFAULT_MODEL,
          embeddingModel:
            input.embeddingModel === undefined ? WORKERS_AI_DEFAULT_EMBEDDING_MODEL : input.embeddingModel,
          apiKeyCiphertext: null,
        }
      : input.provider === "openai"
        ? {
            provider: "openai" as const,
            baseUrl: input.baseUrl ?? null,
            model: input.model,
            embeddingModel: input.embeddingModel ?? null,
            apiKeyCiphertext: await seal(keys.AI_MASTER_KEY ?? "", input.apiKey, tenantId),
          }
        : {
            provider: "offline" as const,
            baseUrl: null,
            model: null,
            embeddingModel: null,
            apiKeyCiphertext: null,
          };
  const budget = input.dailyTokenBudget === undefined ? {} : { dailyTokenBudget: input.dailyTokenBudget };
  await withTenant(db, tenantId, (tx) =>
    tx
      .insert(aiSettings)
      .values({ tenantId, ...values, ...budget })
      .onConflictDoUpdate({
        target: aiSettings.tenantId,
        set: { ...values, ...budget, updatedAt: new Date() },
      }),
  );
  const { apiKeyCiphertext: _, ...saved } = values;
  return { ...saved, ...budget };
}
