import { aiSettings, type Tx } from "@autopilot/db";
import { eq } from "drizzle-orm";
import { openAiProvider } from "./openai.js";
import { type AiProvider, offlineProvider } from "./provider.js";
import { open } from "./secret-box.js";

export type AiSettingsRow = typeof aiSettings.$inferSelect;

export async function loadAiSettings(tx: Tx, tenantId: string): Promise<AiSettingsRow | null> {
  const [row] = await tx.select().from(aiSettings).where(eq(aiSettings.tenantId, tenantId));
  return row ?? null;
}

/** The tenant's provider; offline when none is configured or its key cannot be opened. */
export async function providerFor(
  row: Pick<AiSettingsRow, "tenantId" | "provider" | "baseUrl" | "model" | "apiKeyCiphertext"> | null,
  masterKey: string | undefined,
  limits: { timeoutMs: number; retries: number },
): Promise<AiProvider> {
  if (!row || row.provider !== "openai" || !row.apiKeyCiphertext || !masterKey || !row.model)
    return offlineProvider;
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
