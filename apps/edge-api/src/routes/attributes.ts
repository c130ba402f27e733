import { ATTRIBUTE_TYPES, CRM_ENTITIES } from "@autopilot/db";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { attributeDefinitionsOf, saveAttributeDefinition, tagsOf } from "../domain/crm/attributes.js";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { errors, jsonBody, jsonResponse } from "./schemas.js";

export const attributeRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Custom attributes and tags"];
const auth = [authenticate, limitByPrincipal] as const;

const definitionSchema = z
  .object({
    entity: z.enum(CRM_ENTITIES),
    key: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,63}$/, "lower-case letters, digits and _, starting with a letter"),
    label: z.string().trim().min(1).max(100),
    type: z.enum(ATTRIBUTE_TYPES),
    options: z.array(z.string().min(1).max(100)).max(100).optional(),
    required: z.boolean().optional(),
  })
  .openapi("AttributeDefinition");

attributeRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/attribute-definitions",
    tags,
    summary: "List custom attribute definitions",
    middleware: [...auth] as const,
    request: { query: z.object({ entity: z.enum(CRM_ENTITIES).optional() }) },
    responses: {
      200: jsonResponse(z.object({ definitions: z.array(definitionSchema) }), "Definitions"),
      ...errors,
    },
  }),
  async (c) => {
    const { entity } = c.req.valid("query");
    const rows = await attributeDefinitionsOf(c.get("db"), c.get("principal").tenantId, entity);
    return c.json(
      {
        definitions: rows.map((r) => ({
          entity: r.entity,
          key: r.key,
          label: r.label,
          type: r.type,
          options: r.options,
          required: r.required,
        })),
      },
      200,
    );
  },
);

attributeRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/attribute-definitions",
    tags,
    summary: "Define or redefine a typed custom attribute",
    middleware: [...auth, requireRole("admin")] as const,
    request: jsonBody(definitionSchema),
    responses: { 200: jsonResponse(definitionSchema, "Defined"), ...errors },
  }),
  async (c) => {
    const input = c.req.valid("json");
    await saveAttributeDefinition(c.get("db"), c.get("principal").tenantId, input);
    return c.json(input, 200);
  },
);

attributeRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/tags",
    tags,
    summary: "List the tags in use",
    middleware: [...auth] as const,
    responses: {
      200: jsonResponse(
        z.object({ tags: z.array(z.object({ name: z.string(), color: z.string().nullable() })) }),
        "Tags",
      ),
      ...errors,
    },
  }),
  async (c) => c.json({ tags: await tagsOf(c.get("db"), c.get("principal").tenantId) }, 200),
);
