import { type AiSettingsRow, providerFor } from "../ai/tenant-provider.js";
import type { Env } from "../env.js";
import { conversationConfig } from "./config.js";
import type { TurnAi } from "./run-turn.js";

// The tenant's AI provider as a conversation's turns use it: loaded once (after a restart), then
// refreshed at most once a minute in the background, so a turn never waits on the database for it
// (the last known settings stand meanwhile, and while the database is down: offline until loaded).

const AI_SETTINGS_TTL_MS = 60_000;

type Loaded = {
  loadedAt: number;
  refreshing: boolean;
  turnAi: TurnAi;
  provider: ReturnType<typeof providerFor>;
};

export class TurnAiCache {
  private loaded: Loaded | undefined;

  constructor(
    private readonly env: () => Env,
    private readonly load: (tenantId: string) => Promise<AiSettingsRow | null>,
  ) {}

  async get(tenantId: string): Promise<TurnAi> {
    if (!this.loaded) this.set(tenantId, await this.load(tenantId).catch(() => null));
    else if (Date.now() - this.loaded.loadedAt > AI_SETTINGS_TTL_MS) this.refresh(tenantId);
    const loaded = this.loaded as Loaded;
    loaded.turnAi.provider = await loaded.provider;
    return loaded.turnAi;
  }

  /** Settings already at hand (loaded with the conversation's start). */
  use(tenantId: string, settings: AiSettingsRow | null): void {
    this.set(tenantId, settings);
  }

  private refresh(tenantId: string): void {
    if (!this.loaded || this.loaded.refreshing) return;
    this.loaded.refreshing = true;
    void this.load(tenantId)
      .then((settings) => this.set(tenantId, settings))
      .catch(() => {
        if (this.loaded) this.loaded = { ...this.loaded, loadedAt: Date.now(), refreshing: false };
      });
  }

  private set(tenantId: string, settings: AiSettingsRow | null): void {
    const env = this.env();
    const cfg = conversationConfig(env);
    const budget = settings?.dailyTokenBudget ?? 0;
    const stub = () => env.AI_BUDGET.get(env.AI_BUDGET.idFromName(tenantId));
    this.loaded = {
      loadedAt: Date.now(),
      refreshing: false,
      // Opened once per settings load (the key is decrypted here), not on every turn.
      provider: providerFor(settings, env, { timeoutMs: cfg.aiTimeoutMs, retries: cfg.aiRetries }),
      turnAi: {
        provider: {
          name: "offline",
          chat: () => Promise.reject(new Error("offline")),
          embed: () => Promise.reject(new Error("offline")),
        },
        allowed: async () => (await stub().check(budget)).allowed,
        charge: async (tokens) => {
          await stub().charge(tokens, budget);
        },
        deadlineMs: cfg.aiTimeoutMs * (cfg.aiRetries + 1) + 2000,
      },
    };
  }
}
