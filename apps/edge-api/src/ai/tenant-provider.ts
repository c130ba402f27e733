import { aiSettings, type Database, type Tx, withTenant } from "@autopilot/db";
import { eq } from "drizzle-orm";
import { open } from "../lib/secret-box.js";
import { type AiKeys, baseUrlRefused } from "./keys.js";
import { openAiProvider } from "./openai.js";
import { type AiProvider, offlineProvider } from "./provider.js";
import { workersAiProvider } from "./workers-ai.js";

export type AiSettingsRow = typeof aiSettings.$inferSelect;

export async function loadAiSettings(tx: Tx, tenantId: string): Promise<AiSettingsRow | null> {
  const [row] = await tx.select().from(aiSettings).where(eq(aiSettings.tenantId, tenantId));
  return row ?? null;
}

export function aiSettingsOf(db: Database, tenantId: string): Promise<AiSettingsRow | null> {
  return withTenant(db, tenantId, (tx) => loadAiSettings(tx, tenantId));
}

/**
 * The tenant's provider; offline when none is configured, its key cannot be opened, its base URL is
 * one the address policy refuses here, or it is Workers AI and this deployment has no AI binding.
 */
export async function providerFor(
  row: Pick<AiSettingsRow, "tenantId" | "provider" | "baseUrl" | "model" | "apiKeyCiphertext"> | null,
  keys: AiKeys,
  limits: { timeoutMs: number; retries: number },
): Promise<AiProvider> {
  if (row?.provider === "workers-ai")
    return keys.AI && row.model
      ? workersAiProvider({ binding: keys.AI, model: row.model, ...limits })
      : offlineProvider;
  const masterKey = keys.AI_MASTER_KEY;
  if (row?.provider !== "openai" || !row.apiKeyCiphertext || !masterKey || !row.model) return offlineProvider;
  if (baseUrlRefused(row.baseUrl, keys)) return offlineProvider;
  try {
    const apiKey = await open(masterKey, row.apiKeyCiphertext, row.tenantId);
    // Streamed: the same answer, assembled (tool calls from deltas, tokens from the final usage chunk).
    // Nothing partial reaches the visitor: every model answer is checked by the engine first.
    return openAiProvider({
      apiKey,
      baseUrl: row.baseUrl ?? undefined,
      model: row.model,
      stream: true,
      ...limits,
    });
  } catch {
    return offlineProvider;
  }
}
