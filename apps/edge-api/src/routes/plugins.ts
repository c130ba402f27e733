import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { mailerFor } from "../mail/mailer.js";
import { listCalls } from "../plugins/calls.js";
import { listDeliveries, reviveDelivery } from "../plugins/dead-letters.js";
import { forgetSubscribers } from "../plugins/fan-out.js";
import * as installs from "../plugins/installs.js";
import { acceptPackage, inspection, installView } from "../plugins/packages.js";
import { runPluginReport } from "../plugins/reports.js";
import { runPluginAction } from "../plugins/run-action.js";
import { idParam } from "./crm-schemas.js";
import { apiOrigin, setUp } from "./plugin-deps.js";
import {
  callSchema,
  deliverySchema,
  grantSchema,
  inspectionSchema,
  installSchema,
  packedPlugin,
  pluginReportSchema,
  reportAnswerSchema,
} from "./plugin-schemas.js";
import { errors, jsonBody, jsonResponse, okSchema } from "./schemas.js";

// A workspace's plugins (issue 17): a private plugin is installed from its packed file with an
// explicit grant of everything it asks for; admins change its settings, pause, resume, upgrade and
// uninstall it, and see and replay the events it failed to take.

export const pluginRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Plugins"];
const auth = [authenticate, limitByPrincipal] as const;
const config = z.record(z.string(), z.unknown());

pluginRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/plugins/inspect",
    tags,
    summary: "Check a packed plugin and say what it asks for (the consent screen), installing nothing",
    middleware: [...auth, requireRole("admin")] as const,
    request: jsonBody(z.object({ package: packedPlugin })),
    responses: { 200: jsonResponse(inspectionSchema, "What the plugin asks for"), ...errors },
  }),
  async (c) => {
    const accepted = await acceptPackage(c.env, c.req.valid("json").package);
    return c.json(inspection(accepted.manifest, accepted.bytes), 200);
  },
);

pluginRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/plugins/installs",
    tags,
    summary: "Install a private plugin: grant exactly what its manifest asks for, and its settings",
    middleware: [...auth, requireRole("admin")] as const,
    request: jsonBody(z.object({ package: packedPlugin, grant: grantSchema, config: config.default({}) })),
    responses: { 201: jsonResponse(installSchema, "Installed"), ...errors },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const p = c.get("principal");
    const accepted = await acceptPackage(c.env, body.package);
    const install = await installs.createInstall(
      c.get("db"),
      p.tenantId,
      { manifest: accepted.manifest, bundleSha256: accepted.sha256, grant: body.grant, config: body.config },
      c.env.AI_MASTER_KEY,
    );
    forgetSubscribers(p.tenantId);
    await setUp(c, install.id);
    return c.json(installView(install, apiOrigin(c)), 201);
  },
);

pluginRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/plugins/installs",
    tags,
    summary: "The workspace's installed plugins (secret settings are never shown, only whether set)",
    middleware: [...auth, requireRole("admin")] as const,
    responses: { 200: jsonResponse(z.object({ installs: z.array(installSchema) }), "Installs"), ...errors },
  }),
  async (c) =>
    c.json(
      {
        installs: (await installs.listInstalls(c.get("db"), c.get("principal").tenantId)).map((i) =>
          installView(i, apiOrigin(c)),
        ),
      },
      200,
    ),
);

pluginRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/plugins/installs/{id}",
    tags,
    summary: "One installed plugin",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(installSchema, "Install"), ...errors },
  }),
  async (c) =>
    c.json(
      installView(
        await installs.getInstall(c.get("db"), c.get("principal").tenantId, c.req.valid("param").id),
        apiOrigin(c),
      ),
      200,
    ),
);

pluginRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/plugins/installs/{id}/config",
    tags,
    summary: "Replace the settings; a secret field left out keeps its stored value",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam, ...jsonBody(z.object({ config })) },
    responses: { 200: jsonResponse(installSchema, "Saved"), ...errors },
  }),
  async (c) => {
    const install = await installs.updateConfig(
      c.get("db"),
      c.get("principal").tenantId,
      c.req.valid("param").id,
      c.req.valid("json").config,
      c.env.AI_MASTER_KEY ?? "",
    );
    await setUp(c, install.id);
    return c.json(installView(install, apiOrigin(c)), 200);
  },
);

for (const [action, paused] of [
  ["pause", true],
  ["resume", false],
] as const) {
  pluginRoutes.openapi(
    createRoute({
      method: "post",
      path: `/v1/plugins/installs/{id}/${action}`,
      tags,
      summary: paused
        ? "Pause the plugin: nothing calls it until resumed"
        : "Resume the plugin (its failure count starts again)",
      middleware: [...auth, requireRole("admin")] as const,
      request: { params: idParam },
      responses: { 200: jsonResponse(installSchema, paused ? "Paused" : "Resumed"), ...errors },
    }),
    async (c) => {
      const p = c.get("principal");
      const install = await installs.setPaused(c.get("db"), p.tenantId, c.req.valid("param").id, paused);
      forgetSubscribers(p.tenantId);
      return c.json(installView(install, apiOrigin(c)), 200);
    },
  );
}

pluginRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/plugins/installs/{id}/version",
    tags,
    summary: "Upgrade to a higher version of the same plugin, granting again everything it asks for",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam, ...jsonBody(z.object({ package: packedPlugin, grant: grantSchema })) },
    responses: { 200: jsonResponse(installSchema, "Upgraded"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    const body = c.req.valid("json");
    const accepted = await acceptPackage(c.env, body.package);
    const install = await installs.upgradeInstall(
      c.get("db"),
      p.tenantId,
      c.req.valid("param").id,
      { manifest: accepted.manifest, bundleSha256: accepted.sha256, grant: body.grant, source: "private" },
      c.env.AI_MASTER_KEY ?? "",
    );
    forgetSubscribers(p.tenantId);
    await setUp(c, install.id);
    return c.json(installView(install, apiOrigin(c)), 200);
  },
);

pluginRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/v1/plugins/installs/{id}",
    tags,
    summary: "Uninstall: the plugin's storage and pending deliveries go with it",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam },
    responses: { 200: jsonResponse(okSchema, "Uninstalled"), ...errors },
  }),
  async (c) => {
    const p = c.get("principal");
    await installs.deleteInstall(c.get("db"), p.tenantId, c.req.valid("param").id);
    forgetSubscribers(p.tenantId);
    return c.json({ ok: true as const }, 200);
  },
);

pluginRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/plugins/installs/{id}/deliveries",
    tags,
    summary: "Events delivered to the plugin, newest first; status=dead lists those it failed to take",
    middleware: [...auth, requireRole("admin")] as const,
    request: {
      params: idParam,
      query: z.object({
        status: z.enum(["dead", "retrying", "done"]).optional(),
        limit: z.coerce.number().int().min(1).max(200).default(50),
      }),
    },
    responses: {
      200: jsonResponse(z.object({ deliveries: z.array(deliverySchema) }), "Deliveries"),
      ...errors,
    },
  }),
  async (c) => {
    const q = c.req.valid("query");
    const deliveries = await listDeliveries(
      c.get("db"),
      c.get("principal").tenantId,
      c.req.valid("param").id,
      q.status,
      q.limit,
    );
    return c.json({ deliveries }, 200);
  },
);

pluginRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/plugins/installs/{id}/deliveries/{eventId}/replay",
    tags,
    summary: "Deliver a dead event again",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam.extend({ eventId: z.uuid() }) },
    responses: { 202: jsonResponse(okSchema, "Queued"), ...errors },
  }),
  async (c) => {
    const { id, eventId } = c.req.valid("param");
    const tenantId = c.get("principal").tenantId;
    const event = await reviveDelivery(c.get("db"), tenantId, id, eventId);
    await c.env.PLUGIN_DELIVERIES.send({ tenantId, installId: id, event });
    return c.json({ ok: true as const }, 202);
  },
);

pluginRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/plugins/installs/{id}/calls",
    tags,
    summary: "The plugin's recent calls, newest first: kind, outcome, time taken and the lines it logged",
    middleware: [...auth, requireRole("admin")] as const,
    request: {
      params: idParam,
      query: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
    },
    responses: { 200: jsonResponse(z.object({ calls: z.array(callSchema) }), "Calls"), ...errors },
  }),
  async (c) =>
    c.json(
      {
        calls: await listCalls(
          c.get("db"),
          c.get("principal").tenantId,
          c.req.valid("param").id,
          c.req.valid("query").limit,
        ),
      },
      200,
    ),
);

pluginRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/plugins/reports",
    tags,
    summary: "The reports of the workspace's active report plugins (for every member's Reports screen)",
    middleware: [...auth] as const,
    responses: {
      200: jsonResponse(z.object({ reports: z.array(pluginReportSchema) }), "Plugin reports"),
      ...errors,
    },
  }),
  async (c) => {
    const all = await installs.listInstalls(c.get("db"), c.get("principal").tenantId);
    const reports = all
      .filter((i) => i.status === "active")
      .flatMap((i) =>
        i.manifest.reports.map((r) => ({
          installId: i.id,
          pluginId: i.pluginId,
          pluginName: i.manifest.name,
          id: r.id,
          title: r.title,
          parameters: r.parameters,
        })),
      );
    return c.json({ reports }, 200);
  },
);

pluginRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/plugins/installs/{id}/reports/{reportId}",
    tags,
    summary: "Run a report of an installed report plugin: its parameters in, rows and a chart spec out",
    middleware: [...auth] as const,
    request: {
      params: idParam.extend({ reportId: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/) }),
      ...jsonBody(z.object({ parameters: z.record(z.string(), z.unknown()).default({}) })),
    },
    responses: { 200: jsonResponse(reportAnswerSchema, "The report"), ...errors },
  }),
  async (c) => {
    const { id, reportId } = c.req.valid("param");
    const answer = await runPluginReport(
      { env: c.env, db: c.get("db"), mailer: mailerFor(c.env.MAILER) },
      c.get("principal").tenantId,
      id,
      reportId,
      c.req.valid("json").parameters,
    );
    return c.json(answer, 200);
  },
);

pluginRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/plugins/installs/{id}/actions/{name}",
    tags,
    summary: "Run one of the plugin's actions now (a sync's Sync now), with input its schema accepts",
    middleware: [...auth, requireRole("admin")] as const,
    request: {
      params: idParam.extend({ name: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/) }),
      ...jsonBody(z.object({ input: config.default({}) })),
    },
    responses: { 200: jsonResponse(z.object({ value: z.unknown() }), "The plugin's answer"), ...errors },
  }),
  async (c) => {
    const { id, name } = c.req.valid("param");
    const deps = { env: c.env, db: c.get("db"), mailer: mailerFor(c.env.MAILER) };
    const value = await runPluginAction(
      deps,
      c.get("principal").tenantId,
      id,
      name,
      c.req.valid("json").input,
    );
    return c.json({ value }, 200);
  },
);
