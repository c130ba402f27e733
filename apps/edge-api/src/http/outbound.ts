import { AppError } from "../domain/errors.js";
import type { Env } from "../env.js";
import { outboundUrlProblem } from "../lib/address-policy.js";

/** A URL the server is asked to fetch later (an AI endpoint, a webhook): a 400 naming the field when not allowed. */
export function assertOutboundUrl(env: Pick<Env, "LOCAL_DEVELOPMENT">, field: string, raw: string): void {
  const problem = outboundUrlProblem(raw, env.LOCAL_DEVELOPMENT === "1");
  if (problem) throw new AppError("invalid_request", `${field}: ${problem}`);
}
