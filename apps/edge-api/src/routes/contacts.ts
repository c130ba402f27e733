import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import * as contacts from "../domain/crm/contacts.js";
import { eraseContact, exportContact } from "../domain/crm/gdpr.js";
import { MERGEABLE_FIELDS, mergeContacts } from "../domain/crm/merge.js";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { idempotent } from "../http/idempotency.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { attributes, consent, contactSchema, idParam, listQuery, pageOf, tagList } from "./crm-schemas.js";
import { email, errors, jsonBody, jsonResponse, okSchema } from "./schemas.js";

export const contactRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Contacts"];
const auth = [authenticate, limitByPrincipal] as const;

const contactFields = {
  name: z.string().trim().max(200),
  // Trimmed first: pasted addresses often carry spaces; dedupe lower-cases them too.
  email: z.string().trim().pipe(email).nullable(),
  phone: z.string().trim().min(3).max(40).nullable().openapi({ example: "+49 30 901820" }),
  companyId: z.uuid().nullable(),
  attributes,
  tags: tagList,
  consent,
  source: z.string().trim().max(100).nullable(),
};
const createBody = z
  .object(contactFields)
  .partial()
  .refine((c) => Boolean(c.name || c.email || c.phone), {
    message: "give at least a name, an email or a phone",
    path: ["email"],
  })
  .openapi("NewContact");
const updateBody = z.object(contactFields).partial().openapi("ContactUpdate");

contactRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/contacts",
    tags,
    summary: "Create a contact (409 duplicate_contact with the existing id when the email or phone is taken)",
    middleware: [...auth, requireRole("agent"), idempotent] as const,
    request: jsonBody(createBody),
    responses: { 201: jsonResponse(contactSchema, "Created"), ...errors },
  }),
  async (c) =>
    c.json(await contacts.createContact(c.get("db"), c.get("principal"), c.req.valid("json")), 201),
);

contactRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/contacts",
    tags,
    summary: "List contacts: filters, sorting, cursor pagination",
    middleware: [...auth] as const,
    request: {
      query: z.object({
        q: z.string().trim().min(1).max(200).optional().openapi({ description: "Name or email contains" }),
        email: z.string().max(254).optional(),
        tag: z.string().max(50).optional(),
        companyId: z.uuid().optional(),
        ids: z
          .string()
          .optional()
          .transform((s) => (s ? s.split(",") : undefined))
          .pipe(z.array(z.uuid()).min(1).max(200).optional())
          .openapi({
            description:
              "Only these contacts (comma-separated ids, at most 200): one read for a page's contacts",
          }),
        ...listQuery(["created_at", "updated_at", "name"] as const),
      }),
    },
    responses: {
      200: jsonResponse(pageOf("contacts", contactSchema), "Contacts"),
      ...errors,
    },
  }),
  async (c) =>
    c.json(await contacts.listContacts(c.get("db"), c.get("principal").tenantId, c.req.valid("query")), 200),
);

contactRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/contacts/{id}",
    tags,
    summary: "Get a contact",
    middleware: [...auth] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(contactSchema, "Contact"), ...errors },
  }),
  async (c) =>
    c.json(await contacts.getContact(c.get("db"), c.get("principal").tenantId, c.req.valid("param").id), 200),
);

contactRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/contacts/{id}",
    tags,
    summary: "Update a contact (attributes merge key by key; null removes one)",
    middleware: [...auth, requireRole("agent")] as const,
    request: { params: idParam, ...jsonBody(updateBody) },
    responses: { 200: jsonResponse(contactSchema, "Updated"), ...errors },
  }),
  async (c) =>
    c.json(
      await contacts.updateContact(
        c.get("db"),
        c.get("principal"),
        c.req.valid("param").id,
        c.req.valid("json"),
      ),
      200,
    ),
);

contactRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/contacts/{id}",
    tags,
    summary: "Delete a contact with nothing attached (else 409: erase or merge it)",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(okSchema, "Deleted"), ...errors },
  }),
  async (c) => {
    await contacts.deleteContact(c.get("db"), c.get("principal"), c.req.valid("param").id);
    return c.json({ ok: true as const }, 200);
  },
);

contactRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/contacts/{id}/merge",
    tags,
    summary: "Merge another contact into this one, field by field; its leads, deals and activities move here",
    middleware: [...auth, requireRole("agent")] as const,
    request: {
      params: idParam,
      ...jsonBody(
        z.object({
          duplicateId: z.uuid(),
          prefer: z
            .partialRecord(z.enum([...MERGEABLE_FIELDS, "attributes"]), z.enum(["survivor", "duplicate"]))
            .optional(),
        }),
      ),
    },
    responses: {
      200: jsonResponse(
        z.object({
          contact: contactSchema,
          moved: z.object({
            leads: z.number(),
            deals: z.number(),
            activities: z.number(),
            conversations: z.number(),
          }),
        }),
        "Merged",
      ),
      ...errors,
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    return c.json(
      await mergeContacts(
        c.get("db"),
        c.get("principal"),
        c.req.valid("param").id,
        body.duplicateId,
        body.prefer,
      ),
      200,
    );
  },
);

contactRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/contacts/{id}/export",
    tags,
    summary: "GDPR export: everything stored about the person, as JSON",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(z.record(z.string(), z.unknown()), "Export"), ...errors },
  }),
  async (c) => c.json(await exportContact(c.get("db"), c.get("principal"), c.req.valid("param").id), 200),
);

contactRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/contacts/{id}/erase",
    tags,
    summary: "GDPR erasure: scrub the person's PII everywhere it is stored",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam },
    responses: {
      200: jsonResponse(z.object({ erased: z.number(), leads: z.number(), deals: z.number() }), "Erased"),
      ...errors,
    },
  }),
  async (c) => c.json(await eraseContact(c.get("db"), c.get("principal"), c.req.valid("param").id), 200),
);
