import { WebhookReply } from "@autopilot/sdk";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { AppError } from "../domain/errors.js";
import type { AppEnv } from "../env.js";
import { enforce } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { mailerFor } from "../mail/mailer.js";
import { hookTarget } from "../plugins/hooks.js";
import { invokePlugin } from "../plugins/invoke.js";
import { errors } from "./schemas.js";

// Inbound webhooks of plugins: a provider (Telegram, WhatsApp, a form tool…) calls
// /v1/hooks/{installId}/{name}; the request goes to the install's plugin as it came (method, path and
// query, headers, raw body up to the API's body limit), and the plugin checks the provider's
// signature and answers. No credentials: the install id names the workspace, and only hooks its
// manifest declares exist.

export const hookRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Plugins"];

/** Per install: a provider's burst is fine, a flood is not. */
export const HOOK_REQUESTS_PER_MINUTE = 600;

const params = z.object({
  installId: z.uuid().openapi({ param: { name: "installId", in: "path" } }),
  name: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,63}$/)
    .openapi({ param: { name: "name", in: "path" } }),
});

for (const method of ["get", "post"] as const) {
  hookRoutes.openapi(
    createRoute({
      method,
      path: "/v1/hooks/{installId}/{name}",
      tags,
      summary: `An installed plugin's inbound webhook (${method.toUpperCase()}): answered by the plugin`,
      request: { params },
      responses: {
        200: { description: "The plugin's answer (status and body as it chose)" },
        ...errors,
      },
    }),
    async (c) => {
      const { installId, name } = c.req.valid("param");
      const db = c.get("db");
      const install = await hookTarget(db, installId, name, c.env.AI_MASTER_KEY);
      await enforce(c, `hook:${installId}`, HOOK_REQUESTS_PER_MINUTE);
      const url = new URL(c.req.url);
      const out = await invokePlugin({ env: c.env, db, mailer: mailerFor(c.env.MAILER) }, install, {
        kind: "webhook",
        name,
        request: {
          method: c.req.method,
          url: `${url.pathname}${url.search}`,
          headers: Object.fromEntries(c.req.raw.headers),
          body: await c.req.text(),
        },
      });
      // The provider retries what fails: a plugin down answers 503.
      if (!out.ok)
        throw new AppError(
          "unavailable",
          `the plugin could not take the request (${out.code})`,
          undefined,
          60,
        );
      const reply = WebhookReply.safeParse(out.value);
      if (!reply.success) throw new AppError("unavailable", "the plugin gave no valid answer", undefined, 60);
      return new Response(reply.data.body ?? null, {
        status: reply.data.status,
        headers: { "content-type": reply.data.contentType ?? "text/plain; charset=utf-8" },
      }) as never;
    },
  );
}
