import { outboundUrlProblem } from "../lib/address-policy.js";
import type { WorkersAiBinding } from "./workers-ai.js";

/** What opening a tenant's AI provider needs from the environment. */
export type AiKeys = {
  /** Opens the tenants' sealed API keys. */
  AI_MASTER_KEY?: string | undefined;
  /** "1": a base URL on this machine or a private network is allowed (local development only). */
  LOCAL_DEVELOPMENT?: string | undefined;
  /** Cloudflare's Workers AI binding, for tenants whose provider is "workers-ai". */
  AI?: WorkersAiBinding | undefined;
};

/**
 * A saved base URL is checked again each time it is used, not only when it was saved: settings saved
 * in local development (or written by hand) must not reach inside a deployment's network.
 */
export const baseUrlRefused = (baseUrl: string | null | undefined, keys: AiKeys): boolean =>
  !!baseUrl && outboundUrlProblem(baseUrl, keys.LOCAL_DEVELOPMENT === "1") !== null;
