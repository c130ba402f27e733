import type { OpenAPIHono } from "@hono/zod-openapi";
import { html, raw } from "hono/html";
import type { AppEnv } from "../env.js";

type Operation = {
  summary?: string;
  description?: string;
  tags?: string[];
  requestBody?: unknown;
  parameters?: unknown[];
};
const METHODS = ["get", "post", "put", "patch", "delete"] as const;

const DOC_CONFIG = {
  openapi: "3.1.0",
  info: {
    title: "AutopilotCRM API",
    version: "1.0.0",
    description:
      "Authenticate with `Authorization: Bearer ak_…` (an API key) or the session cookie set by login; cookie-authenticated mutations need the `X-CSRF-Token` header. Errors are `{error:{code,message,details?}}`. Creating POSTs accept `Idempotency-Key`.",
  },
};

/** Serves the spec generated from the routes' zod schemas, and a readable page of it (no CDN assets: works offline). */
export function mountDocs(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "apiKey", { type: "http", scheme: "bearer" });
  app.openAPIRegistry.registerComponent("securitySchemes", "session", {
    type: "apiKey",
    in: "cookie",
    name: "ap_session",
  });
  app.doc31("/v1/openapi.json", DOC_CONFIG);

  app.get("/docs", (c) => {
    const spec = app.getOpenAPI31Document(DOC_CONFIG);
    const sections = new Map<string, string[]>();
    for (const [path, item] of Object.entries(spec.paths ?? {})) {
      for (const method of METHODS) {
        const op = (item as Record<string, Operation | undefined>)[method];
        if (!op) continue;
        const tag = op.tags?.[0] ?? "Other";
        const body = op.requestBody
          ? `<details><summary>Request</summary><pre>${escapeHtml(JSON.stringify(op.requestBody, null, 2))}</pre></details>`
          : "";
        const rows = sections.get(tag) ?? [];
        rows.push(
          `<li><code class="m ${method}">${method.toUpperCase()}</code> <code>${escapeHtml(path)}</code> — ${inlineMarkdown(op.summary ?? "")}${op.description ? `<p class="d">${inlineMarkdown(op.description)}</p>` : ""}${body}</li>`,
        );
        sections.set(tag, rows);
      }
    }
    const content = [...sections]
      .map(([tag, rows]) => `<h2>${escapeHtml(tag)}</h2><ul>${rows.join("")}</ul>`)
      .join("");
    return c.html(html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>AutopilotCRM API</title>
          <style>
            body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
            li { margin: .4rem 0; } pre { background: #f5f5f5; padding: .5rem; overflow: auto; }
            .d { margin: .1rem 0 0; color: #444; } code { background: #f2f2f2; padding: 0 .2rem; border-radius: 3px; }
            .m { font-weight: 600; } .get { color: #0a7; } .post { color: #07c; } .delete { color: #c22; } .patch { color: #a60; }
          </style>
        </head>
        <body>
          <h1>AutopilotCRM API</h1>
          <p>${raw(inlineMarkdown(DOC_CONFIG.info.description))}</p>
          <p>Machine-readable: <a href="/v1/openapi.json">/v1/openapi.json</a></p>
          ${raw(content)}
        </body>
      </html>`);
  });
}

/**
 * The Markdown the API's texts use, inline only: `code`, **bold**, *emphasis*. Escaped first, so a
 * description can never inject markup; nothing else is interpreted.
 */
export function inlineMarkdown(s: string): string {
  return escapeHtml(s)
    .replace(/`([^`]+)`/g, "<code>$1</code>")
    .replace(/\*\*([^*]+)\*\*/g, "<strong>$1</strong>")
    .replace(/(^|[\s(])\*([^*\s][^*]*)\*/g, "$1<em>$2</em>");
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
