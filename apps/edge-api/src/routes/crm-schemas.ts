import { z } from "@hono/zod-openapi";

// Schemas shared by the contacts, companies, leads and deals routes.

export const idParam = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });
export const attributes = z
  .record(z.string().min(1).max(64), z.unknown())
  .openapi({ description: "Custom attributes, typed by the tenant's attribute definitions" });
export const tagList = z.array(z.string().trim().min(1).max(50)).max(50);
export const consent = z.object({ email: z.boolean(), sms: z.boolean(), tracking: z.boolean() }).partial();

/** Sorting and cursor pagination for list endpoints. */
export const listQuery = <S extends readonly [string, ...string[]]>(sorts: S) => ({
  sort: z.enum(sorts).default(sorts[0] as S[number] as never),
  order: z.enum(["asc", "desc"]).default("desc"),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional().openapi({ description: "nextCursor from the previous page" }),
});

/** One page of a cursor-paged list: its items under `key`, and the cursor of the next page (null at the end). */
export const pageOf = <K extends string, T extends z.ZodType>(key: K, item: T) =>
  z.object({ [key]: z.array(item), nextCursor: z.string().nullable() } as Record<K, z.ZodArray<T>> & {
    nextCursor: z.ZodNullable<z.ZodString>;
  });

export const contactSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    email: z.string().nullable(),
    phone: z.string().nullable(),
    phoneE164: z.string().nullable(),
    companyId: z.uuid().nullable(),
    attributes: z.record(z.string(), z.unknown()),
    tags: z.array(z.string()),
    consent: z.object({
      email: z.boolean(),
      sms: z.boolean(),
      tracking: z.boolean(),
      updatedAt: z.string().nullable(),
    }),
    source: z.string().nullable(),
    mergedIntoId: z.uuid().nullable(),
    erasedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Contact");

export const companySchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    domain: z.string().nullable(),
    attributes: z.record(z.string(), z.unknown()),
    tags: z.array(z.string()),
    mergedIntoId: z.uuid().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Company");
