import { z } from "zod";

// Every event shares this envelope; `type` + `version` select the shape of `properties`.
// Consumers dedupe by `id` (delivery is at least once).
export const actorSchema = z.object({
  type: z.enum(["user", "api_key", "system", "visitor", "plugin"]),
  id: z.string().nullable(),
});

export const envelopeBase = {
  id: z.uuid(),
  tenantId: z.uuid(),
  time: z.iso.datetime({ offset: true }),
  actor: actorSchema,
  /** Ids of the things the event is about, by kind: { user: "…", apiKey: "…" }. */
  subjects: z.record(z.string(), z.string()),
};

export function defineEvent<const T extends string, const V extends number, P extends z.ZodType>(
  type: T,
  version: V,
  properties: P,
) {
  return z.object({ ...envelopeBase, type: z.literal(type), version: z.literal(version), properties });
}
