import { STAGE_CATEGORIES } from "@autopilot/db";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import * as pipelines from "../domain/deals/pipelines.js";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { idempotent } from "../http/idempotency.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { idParam } from "./crm-schemas.js";
import { errors, jsonBody, jsonResponse, okSchema } from "./schemas.js";

// Pipelines and their stages: list, create, rename, reorder, delete with the deals moved.

export const pipelineRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Pipelines and deals"];
const auth = [authenticate, limitByPrincipal] as const;

const stageSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  position: z.number(),
  probability: z.number(),
  category: z.enum(STAGE_CATEGORIES),
});
const pipelineSchema = z
  .object({ id: z.uuid(), name: z.string(), isDefault: z.boolean(), stages: z.array(stageSchema) })
  .openapi("Pipeline");

pipelineRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/pipelines",
    tags,
    summary: "Create a pipeline with ordered stages (probability 0–100, category open/won/lost)",
    middleware: [...auth, requireRole("admin"), idempotent] as const,
    request: jsonBody(
      z.object({
        name: z.string().trim().min(1).max(100),
        isDefault: z.boolean().optional(),
        stages: z
          .array(
            z.object({
              name: z.string().trim().min(1).max(100),
              probability: z.number().int().min(0).max(100),
              category: z.enum(STAGE_CATEGORIES).optional(),
            }),
          )
          .min(3)
          .max(30),
      }),
    ),
    responses: { 201: jsonResponse(pipelineSchema, "Created"), ...errors },
  }),
  async (c) =>
    c.json(await pipelines.createPipeline(c.get("db"), c.get("principal"), c.req.valid("json")), 201),
);

pipelineRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/pipelines",
    tags,
    summary: "List pipelines with their stages",
    middleware: [...auth] as const,
    responses: {
      200: jsonResponse(z.object({ pipelines: z.array(pipelineSchema) }), "Pipelines"),
      ...errors,
    },
  }),
  async (c) =>
    c.json({ pipelines: await pipelines.listPipelines(c.get("db"), c.get("principal").tenantId) }, 200),
);

pipelineRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/pipelines/{id}",
    tags,
    summary: "Get a pipeline",
    middleware: [...auth] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(pipelineSchema, "Pipeline"), ...errors },
  }),
  async (c) =>
    c.json(
      await pipelines.getPipeline(c.get("db"), c.get("principal").tenantId, c.req.valid("param").id),
      200,
    ),
);

pipelineRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/pipelines/{id}",
    tags,
    summary: "Rename a pipeline or make it the default",
    middleware: [...auth, requireRole("admin")] as const,
    request: {
      params: idParam,
      ...jsonBody(z.object({ name: z.string().trim().min(1).max(100), isDefault: z.boolean() }).partial()),
    },
    responses: { 200: jsonResponse(pipelineSchema, "Updated"), ...errors },
  }),
  async (c) =>
    c.json(
      await pipelines.updatePipeline(
        c.get("db"),
        c.get("principal"),
        c.req.valid("param").id,
        c.req.valid("json"),
      ),
      200,
    ),
);

pipelineRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/pipelines/{id}",
    tags,
    summary: "Delete a pipeline without deals, with its stages (409 while it has deals)",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(okSchema, "Deleted"), ...errors },
  }),
  async (c) => {
    await pipelines.deletePipeline(c.get("db"), c.get("principal"), c.req.valid("param").id);
    return c.json({ ok: true as const }, 200);
  },
);

const stageParams = z.object({
  id: z.uuid().openapi({ param: { name: "id", in: "path" } }),
  stageId: z.uuid().openapi({ param: { name: "stageId", in: "path" } }),
});
const stageFields = {
  name: z.string().trim().min(1).max(100),
  probability: z.number().int().min(0).max(100),
  category: z.enum(STAGE_CATEGORIES),
};

pipelineRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/pipelines/{id}/stages",
    tags,
    summary: "Add a stage at a position (default last)",
    middleware: [...auth, requireRole("admin")] as const,
    request: {
      params: idParam,
      ...jsonBody(
        z.object({
          ...stageFields,
          category: stageFields.category.optional(),
          position: z.number().int().min(0).max(100).optional(),
        }),
      ),
    },
    responses: { 201: jsonResponse(pipelineSchema, "Added"), ...errors },
  }),
  async (c) =>
    c.json(
      await pipelines.addStage(c.get("db"), c.get("principal"), c.req.valid("param").id, c.req.valid("json")),
      201,
    ),
);

pipelineRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/pipelines/{id}/stages",
    tags,
    summary: "Reorder the stages: stageIds lists every stage of the pipeline once, in the new order",
    middleware: [...auth, requireRole("admin")] as const,
    request: {
      params: idParam,
      ...jsonBody(z.object({ stageIds: z.array(z.uuid()).min(1).max(30) })),
    },
    responses: { 200: jsonResponse(pipelineSchema, "Reordered"), ...errors },
  }),
  async (c) =>
    c.json(
      await pipelines.reorderStages(
        c.get("db"),
        c.get("principal"),
        c.req.valid("param").id,
        c.req.valid("json").stageIds,
      ),
      200,
    ),
);

pipelineRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/pipelines/{id}/stages/{stageId}",
    tags,
    summary: "Rename a stage, change its probability, or its category while it has no deals",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: stageParams, ...jsonBody(z.object(stageFields).partial()) },
    responses: { 200: jsonResponse(pipelineSchema, "Updated"), ...errors },
  }),
  async (c) => {
    const { id, stageId } = c.req.valid("param");
    return c.json(
      await pipelines.updateStage(c.get("db"), c.get("principal"), id, stageId, c.req.valid("json")),
      200,
    );
  },
);

pipelineRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/pipelines/{id}/stages/{stageId}",
    tags,
    summary:
      "Delete a stage; its deals move to moveTo (another stage of the same category), else 409 while it has deals",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: stageParams, query: z.object({ moveTo: z.uuid().optional() }) },
    responses: { 200: jsonResponse(z.object({ moved: z.number() }), "Deleted"), ...errors },
  }),
  async (c) => {
    const { id, stageId } = c.req.valid("param");
    const p = c.get("principal");
    const result = await pipelines.deleteStage(c.get("db"), p, id, stageId, c.req.valid("query").moveTo);
    return c.json(result, 200);
  },
);
