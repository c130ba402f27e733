import { CAPABILITY_PERMISSION, type Permission } from "@autopilot/sdk";
import { AppError } from "../domain/errors.js";

// The one check of a plugin's capability calls and hosts against what it was granted, for every host
// side that answers plugins (installs' PluginApi and gateway, the review sandbox and its checks).

/** A granted host: exact, or under a "*.example.com" wildcard (not the bare apex). */
export const hostGranted = (host: string, granted: readonly string[]) =>
  granted.some((g) => (g.startsWith("*.") ? host.endsWith(g.slice(1)) && host !== g.slice(2) : g === host));

/** The permission `capability.method` needs; throws not_found / forbidden if unknown / not granted. */
export function checkGrant(granted: readonly string[], capability: unknown, method: unknown): Permission {
  const methods = CAPABILITY_PERMISSION[capability as keyof typeof CAPABILITY_PERMISSION] as
    | Record<string, Permission>
    | undefined;
  const needs = typeof method === "string" ? methods?.[method] : undefined;
  if (!needs) throw new AppError("not_found", `${String(capability)}.${String(method)}: no such capability`);
  if (!granted.includes(needs))
    throw new AppError("forbidden", `${String(capability)}.${String(method)} needs the ${needs} permission`);
  return needs;
}

/** Requests a minute an install's fetch may make through the gateway. */
export const SUBREQUESTS_PER_MINUTE = 120;
/** A CRM sync's: a provider without batch writes needs a request or two per record. */
export const SYNC_SUBREQUESTS_PER_MINUTE = 600;
export const subrequestsPerMinute = (kinds: readonly string[]) =>
  kinds.includes("sync") ? SYNC_SUBREQUESTS_PER_MINUTE : SUBREQUESTS_PER_MINUTE;
