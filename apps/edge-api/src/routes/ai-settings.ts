import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { saveAiSettings } from "../ai/save-settings.js";
import { aiSettingsOf } from "../ai/tenant-provider.js";
import { type ConnectionTest, testOpenAiConnection, testWorkersAi } from "../ai/test-connection.js";
import { WORKERS_AI_DEFAULT_EMBEDDING_MODEL, WORKERS_AI_DEFAULT_MODEL } from "../ai/workers-ai.js";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { assertOutboundUrl } from "../http/outbound.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { open } from "../lib/secret-box.js";
import { errors, jsonBody, jsonResponse } from "./schemas.js";

// The tenant's AI provider settings (the settings screen): read, save, test a connection. The key is
// never returned: only whether one is stored.

export const aiSettingsRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["AI"];
const auth = [authenticate, limitByPrincipal] as const;
const TEST_TIMEOUT_MS = 10_000;

const PROVIDERS = ["offline", "openai", "workers-ai"] as const;

const settingsSchema = z
  .object({
    provider: z.enum(PROVIDERS),
    baseUrl: z.string().nullable(),
    model: z.string().nullable(),
    embeddingModel: z.string().nullable(),
    hasKey: z.boolean(),
    dailyTokenBudget: z.number(),
    updatedAt: z.string().nullable(),
    /** Whether this deployment has the Workers AI binding, and the models used when none is named. */
    workersAi: z.object({
      available: z.boolean(),
      defaultModel: z.string(),
      defaultEmbeddingModel: z.string(),
    }),
  })
  .openapi("AiSettings");

aiSettingsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/ai/settings",
    tags,
    summary: "The AI provider settings (the key itself is never shown: hasKey says whether one is stored)",
    middleware: [...auth, requireRole("admin")] as const,
    responses: { 200: jsonResponse(settingsSchema, "Settings"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    const row = await aiSettingsOf(c.get("db"), p.tenantId);
    return c.json(
      {
        provider: row?.provider ?? "offline",
        baseUrl: row?.baseUrl ?? null,
        model: row?.model ?? null,
        embeddingModel: row?.embeddingModel ?? null,
        hasKey: Boolean(row?.apiKeyCiphertext),
        dailyTokenBudget: row?.dailyTokenBudget ?? 200_000,
        updatedAt: row?.updatedAt.toISOString() ?? null,
        workersAi: {
          available: Boolean(c.env.AI),
          defaultModel: WORKERS_AI_DEFAULT_MODEL,
          defaultEmbeddingModel: WORKERS_AI_DEFAULT_EMBEDDING_MODEL,
        },
      },
      200,
    );
  },
);

aiSettingsRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/ai/test",
    tags,
    summary:
      "Test an AI connection: the given endpoint, model and key (before saving), or the saved settings when no key is given",
    description:
      "One small chat completion, no retries, 10 s deadline. The answer is 200 either way: `ok` says whether it worked and `error` what went wrong.",
    middleware: [...auth, requireRole("admin")] as const,
    request: jsonBody(
      z.object({
        /** Which provider to test; absent: the OpenAI-compatible endpoint given, or the saved settings. */
        provider: z.enum(["openai", "workers-ai"]).optional(),
        baseUrl: z
          .url({ protocol: /^https?$/ })
          .max(300)
          .optional(),
        model: z.string().trim().min(1).max(100).optional(),
        apiKey: z.string().min(1).max(500).optional(),
      }),
    ),
    responses: {
      200: jsonResponse(
        z
          .object({
            ok: z.boolean(),
            model: z.string().nullable(),
            latencyMs: z.number().optional(),
            error: z.string().optional(),
          })
          .openapi("AiConnectionTest"),
        "The result",
      ),
      ...errors,
    },
  }),
  async (c) => {
    const p = c.get("principal");
    const body = c.req.valid("json");
    if (body.baseUrl) assertOutboundUrl(c.env, "baseUrl", body.baseUrl);
    let result: ConnectionTest;
    const saved =
      body.provider === undefined && body.apiKey === undefined
        ? await aiSettingsOf(c.get("db"), p.tenantId)
        : null;
    if (body.provider === "workers-ai" || saved?.provider === "workers-ai") {
      result = await testWorkersAi({
        binding: c.env.AI,
        model: body.model ?? saved?.model ?? WORKERS_AI_DEFAULT_MODEL,
        timeoutMs: TEST_TIMEOUT_MS,
      });
    } else if (body.apiKey !== undefined) {
      if (!body.model)
        return c.json({ ok: false, model: null, error: "model: enter the model to test" }, 200);
      result = await testOpenAiConnection({
        ...body,
        apiKey: body.apiKey,
        model: body.model,
        timeoutMs: TEST_TIMEOUT_MS,
      });
    } else {
      const row = saved ?? (await aiSettingsOf(c.get("db"), p.tenantId));
      if (row?.provider !== "openai" || !row.apiKeyCiphertext || !row.model)
        result = { ok: false, model: null, error: "No AI provider is saved: the assistant runs offline." };
      else if (!c.env.AI_MASTER_KEY)
        result = {
          ok: false,
          model: row.model,
          error: "AI_MASTER_KEY is not configured: the saved key cannot be opened.",
        };
      else {
        const apiKey = await open(c.env.AI_MASTER_KEY, row.apiKeyCiphertext, p.tenantId).catch(() => null);
        result = apiKey
          ? await testOpenAiConnection({
              apiKey,
              baseUrl: body.baseUrl ?? row.baseUrl ?? undefined,
              model: body.model ?? row.model,
              timeoutMs: TEST_TIMEOUT_MS,
            })
          : {
              ok: false,
              model: row.model,
              error: "The saved key cannot be opened (was AI_MASTER_KEY changed?). Enter it again.",
            };
      }
    }
    return c.json(result, 200);
  },
);

const savedSchema = z
  .object({
    provider: z.enum(PROVIDERS),
    baseUrl: z.string().nullable(),
    model: z.string().nullable(),
    embeddingModel: z.string().nullable(),
    dailyTokenBudget: z.number().optional(),
  })
  .openapi("AiSettingsSaved");

aiSettingsRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/ai/settings",
    tags,
    summary: "Configure the AI provider (offline, Workers AI, or any OpenAI-compatible endpoint)",
    middleware: [...auth, requireRole("admin")] as const,
    request: jsonBody(
      z.discriminatedUnion("provider", [
        z.object({
          provider: z.literal("offline"),
          dailyTokenBudget: z.number().int().min(0).max(1e9).optional(),
        }),
        z.object({
          provider: z.literal("workers-ai"),
          /** A Workers AI text-generation model with function calling; absent: the default. */
          model: z.string().trim().min(1).max(100).optional(),
          /** A Workers AI text-embedding model; absent: the default; null: lexical retrieval only. */
          embeddingModel: z.string().trim().min(1).max(100).nullable().optional(),
          dailyTokenBudget: z.number().int().min(0).max(1e9).optional(),
        }),
        z.object({
          provider: z.literal("openai"),
          baseUrl: z.url().max(300).optional(),
          model: z.string().min(1).max(100),
          apiKey: z.string().min(1).max(500),
          /** The provider's embedding model: knowledge retrieval becomes hybrid (lexical + vectors). */
          embeddingModel: z.string().trim().min(1).max(100).nullable().optional(),
          dailyTokenBudget: z.number().int().min(0).max(1e9).optional(),
        }),
      ]),
    ),
    responses: { 200: jsonResponse(savedSchema, "Saved"), ...errors },
  }),
  async (c) => {
    const input = c.req.valid("json");
    if (input.provider === "openai" && input.baseUrl) assertOutboundUrl(c.env, "baseUrl", input.baseUrl);
    return c.json(await saveAiSettings(c.get("db"), c.get("principal").tenantId, input, c.env), 200);
  },
);
