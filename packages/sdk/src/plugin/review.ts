import { z } from "zod";
import { PluginCall } from "./wire.js";

// What a packed plugin carries for the marketplace's review: the plugin's own checks (checks.json
// beside its package.json), which the platform runs against the bundle in its sandbox. Each is one
// call as the platform makes it and the outcome it must have; the sandbox has no workspace and no
// network (every declared host answers 200 "{}", any other host is refused and fails the review).

export const ReviewCheck = z
  .object({
    name: z.string().trim().min(1).max(120),
    call: PluginCall,
    config: z.record(z.string(), z.unknown()).default({}),
    /** ok: true → the call must succeed; ok: false → it must answer an error (code, if given). */
    expect: z.object({ ok: z.boolean(), code: z.string().max(64).optional() }).strict(),
  })
  .strict();
export type ReviewCheck = z.infer<typeof ReviewCheck>;

export const ReviewChecks = z.array(ReviewCheck).max(50);

/** The platform API version this SDK targets; a manifest's `engine` range must admit the platform's. */
export const PLATFORM_API_VERSION = "1.4.0";

/** Marketplace categories (a listing is in one). */
export const PLUGIN_CATEGORIES = [
  "channels",
  "crm-sync",
  "notifications",
  "reports",
  "automation",
  "other",
] as const;
export type PluginCategory = (typeof PLUGIN_CATEGORIES)[number];
