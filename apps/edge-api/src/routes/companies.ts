import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import * as companies from "../domain/crm/companies.js";
import { MERGEABLE_COMPANY_FIELDS, mergeCompanies } from "../domain/crm/merge.js";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { idempotent } from "../http/idempotency.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { attributes, companySchema, idParam, listQuery, pageOf, tagList } from "./crm-schemas.js";
import { errors, jsonBody, jsonResponse, okSchema } from "./schemas.js";

export const companyRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Companies"];
const auth = [authenticate, limitByPrincipal] as const;

const fields = {
  name: z.string().trim().min(1).max(200),
  domain: z.string().trim().min(3).max(253).nullable().openapi({ example: "acme.com" }),
  attributes,
  tags: tagList,
};

companyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/companies",
    tags,
    summary: "Create a company (409 when its domain is taken)",
    middleware: [...auth, requireRole("agent"), idempotent] as const,
    request: jsonBody(z.object(fields).partial().required({ name: true }).openapi("NewCompany")),
    responses: { 201: jsonResponse(companySchema, "Created"), ...errors },
  }),
  async (c) =>
    c.json(await companies.createCompany(c.get("db"), c.get("principal"), c.req.valid("json")), 201),
);

companyRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/companies",
    tags,
    summary: "List companies: filters, sorting, cursor pagination",
    middleware: [...auth] as const,
    request: {
      query: z.object({
        q: z.string().trim().min(1).max(200).optional(),
        domain: z.string().max(253).optional(),
        tag: z.string().max(50).optional(),
        ...listQuery(["created_at", "updated_at", "name"] as const),
      }),
    },
    responses: {
      200: jsonResponse(pageOf("companies", companySchema), "Companies"),
      ...errors,
    },
  }),
  async (c) =>
    c.json(
      await companies.listCompanies(c.get("db"), c.get("principal").tenantId, c.req.valid("query")),
      200,
    ),
);

companyRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/companies/{id}",
    tags,
    summary: "Get a company",
    middleware: [...auth] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(companySchema, "Company"), ...errors },
  }),
  async (c) =>
    c.json(
      await companies.getCompany(c.get("db"), c.get("principal").tenantId, c.req.valid("param").id),
      200,
    ),
);

companyRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/companies/{id}",
    tags,
    summary: "Update a company",
    middleware: [...auth, requireRole("agent")] as const,
    request: { params: idParam, ...jsonBody(z.object(fields).partial().openapi("CompanyUpdate")) },
    responses: { 200: jsonResponse(companySchema, "Updated"), ...errors },
  }),
  async (c) =>
    c.json(
      await companies.updateCompany(
        c.get("db"),
        c.get("principal"),
        c.req.valid("param").id,
        c.req.valid("json"),
      ),
      200,
    ),
);

companyRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/companies/{id}",
    tags,
    summary: "Delete a company with nothing attached",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(okSchema, "Deleted"), ...errors },
  }),
  async (c) => {
    await companies.deleteCompany(c.get("db"), c.get("principal"), c.req.valid("param").id);
    return c.json({ ok: true as const }, 200);
  },
);

companyRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/companies/{id}/merge",
    tags,
    summary:
      "Merge another company into this one, field by field; its contacts, leads, deals and activities move here",
    middleware: [...auth, requireRole("agent")] as const,
    request: {
      params: idParam,
      ...jsonBody(
        z.object({
          duplicateId: z.uuid(),
          prefer: z
            .partialRecord(
              z.enum([...MERGEABLE_COMPANY_FIELDS, "attributes"]),
              z.enum(["survivor", "duplicate"]),
            )
            .optional(),
        }),
      ),
    },
    responses: {
      200: jsonResponse(
        z.object({
          company: companySchema,
          moved: z.object({
            contacts: z.number(),
            leads: z.number(),
            deals: z.number(),
            activities: z.number(),
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
      await mergeCompanies(
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
