import { openDatabase } from "@autopilot/db";
import { OpenAPIHono } from "@hono/zod-openapi";
import { requestId } from "hono/request-id";
import { AppError } from "./domain/errors.js";
import type { AppEnv } from "./env.js";
import { collectOutboxTenants } from "./events/flush-scope.js";
import { flushOutbox } from "./events/outbox.js";
import { limitBodies } from "./http/body-limit.js";
import { toErrorResponse } from "./http/errors.js";
import { validationHook } from "./http/validation.js";
import { createLogger } from "./lib/log.js";
import { misconfiguration } from "./mail/mailer.js";
import { aiSettingsRoutes } from "./routes/ai-settings.js";
import { analyticsRoutes } from "./routes/analytics.js";
import { apiKeyRoutes } from "./routes/api-keys.js";
import { authRoutes } from "./routes/auth.js";
import { businessHoursRoutes } from "./routes/business-hours.js";
import { devRoutes } from "./routes/dev.js";
import { developerRoutes } from "./routes/developer.js";
import { mountDocs } from "./routes/docs.js";
import { hookRoutes } from "./routes/hooks.js";
import { inboxRoutes } from "./routes/inbox.js";
import { knowledgeRoutes } from "./routes/knowledge.js";
import { knowledgeUploadRoutes } from "./routes/knowledge-uploads.js";
import { leadIntakeRoutes } from "./routes/lead-intake.js";
import { mailRoutes } from "./routes/mail.js";
import { marketplaceRoutes } from "./routes/marketplace.js";
import { meRoutes } from "./routes/me.js";
import { memberRoutes } from "./routes/members.js";
import { operatorRoutes } from "./routes/operator.js";
import { overviewRoutes } from "./routes/overview.js";
import { pluginRoutes } from "./routes/plugins.js";
import { reportRoutes } from "./routes/reports.js";
import { routeConfigRoutes } from "./routes/route-config.js";
import { mountSalesRoutes } from "./routes/sales.js";
import { systemRoutes } from "./routes/system.js";
import { webhookRoutes } from "./routes/webhooks.js";
import { widgetRoutes } from "./routes/widget.js";
import { workspaceRoutes } from "./routes/workspace.js";

export function createApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.use(requestId());
  // A worker deployed with local-only settings answers nothing else (see mail/mailer.ts).
  app.use(async (c, next) => {
    const problem = misconfiguration(c.env);
    if (!problem) return next();
    console.error(JSON.stringify({ level: "error", msg: "refusing to serve: misconfigured", problem }));
    return c.json({ error: { code: "misconfigured", message: problem } }, 500);
  });
  // Per request: a logger, a database handle (no connection until first used) and, after the
  // response, the outbox flush and closing the connections.
  app.use(async (c, next) => {
    const started = performance.now();
    const log = createLogger({ requestId: c.get("requestId") });
    const db = openDatabase({ url: c.env.DATABASE_URL, bridge: c.env.DB_BRIDGE });
    c.set("log", log);
    c.set("db", db);
    // The tenants whose events this request recorded: their outboxes are flushed after the response.
    const tenants = new Set<string>();
    try {
      await collectOutboxTenants(tenants, next);
    } finally {
      // A request refused before its body was read (auth, a bad header, a size check) still has
      // that body on the wire: cancel it, or the connection stalls for whoever uses it next.
      if (c.req.raw.body && !c.req.raw.bodyUsed) await c.req.raw.body.cancel().catch(() => undefined);
      const ms = performance.now() - started;
      c.header("Server-Timing", `db;dur=${db.stats.ms.toFixed(2)};desc="${db.stats.roundTrips} round trips"`);
      const principal = c.get("principal");
      log.info("request", {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        ms: Math.round(ms * 100) / 100,
        dbRoundTrips: db.stats.roundTrips,
        tenantId: principal?.tenantId,
      });
      c.executionCtx.waitUntil(
        (async () => {
          for (const tenantId of tenants) {
            await flushOutbox(db, tenantId, c.env.EVENTS).catch((error) =>
              log.warn("outbox flush failed; the cron retries", { tenantId, error: String(error) }),
            );
          }
          await db.end();
        })(),
      );
    }
  });

  app.use(limitBodies);

  app.route("/", systemRoutes);
  app.route("/", devRoutes);
  app.route("/", authRoutes);
  app.route("/", meRoutes);
  app.route("/", overviewRoutes);
  app.route("/", workspaceRoutes);
  app.route("/", businessHoursRoutes);
  app.route("/", memberRoutes);
  app.route("/", apiKeyRoutes);
  app.route("/", mailRoutes);
  app.route("/", routeConfigRoutes);
  app.route("/", widgetRoutes);
  app.route("/", inboxRoutes);
  app.route("/", reportRoutes);
  app.route("/", analyticsRoutes);
  app.route("/", knowledgeRoutes);
  app.route("/", knowledgeUploadRoutes);
  app.route("/", aiSettingsRoutes);
  app.route("/", pluginRoutes);
  app.route("/", marketplaceRoutes);
  app.route("/", developerRoutes);
  app.route("/", operatorRoutes);
  app.route("/", hookRoutes);
  app.route("/", webhookRoutes);
  app.route("/", leadIntakeRoutes);
  mountSalesRoutes(app);
  mountDocs(app);

  app.notFound((c) =>
    toErrorResponse(new AppError("not_found", `no route for ${c.req.method} ${c.req.path}`), c),
  );
  app.onError(toErrorResponse);
  return app;
}
