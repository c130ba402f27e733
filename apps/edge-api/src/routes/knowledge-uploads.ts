import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../env.js";
import { authenticate, requireRole } from "../http/auth.js";
import { limitByPrincipal } from "../http/rate-limit.js";
import { validationHook } from "../http/validation.js";
import { saveCatalogue } from "../knowledge/catalogue.js";
import { DOCUMENT_CONTENT_TYPES } from "../knowledge/documents.js";
import { queueEmbedding } from "../knowledge/embed.js";
import { createDocumentSource, readUpload, replaceDocument, uploadLimit } from "../knowledge/uploads.js";
import { idParam } from "./crm-schemas.js";
import { errors, jsonResponse } from "./schemas.js";

// Knowledge uploads (issue 5): documents (Markdown, HTML, plain text, PDF; text extracted by a queue
// job) and product catalogues (CSV or JSON; one chunk per product, rows checked in the request).
// Bodies are `multipart/form-data` with a `file` part (and optional `name`, `url` fields), or the
// raw file with its content type (and `name`, `url`, `fileName` in the query string). The bodies are
// read by hand (readUpload): declared in the spec, @hono/zod-openapi would validate a multipart body
// against a JSON-ish schema and reject the file, so the media types are named in the description.

export const knowledgeUploadRoutes = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
const tags = ["Knowledge"];
const auth = [authenticate, limitByPrincipal] as const;

const uploadQuery = z.object({
  name: z.string().max(200).optional(),
  url: z.string().max(2000).optional(),
  fileName: z.string().max(300).optional(),
});
const sourceSchema = z
  .object({ id: z.uuid(), kind: z.string(), name: z.string(), status: z.string() })
  .passthrough();
const reportSchema = z.object({
  rows: z.number(),
  indexed: z.number(),
  failed: z.number(),
  errors: z.array(z.object({ row: z.number(), field: z.string(), message: z.string() })),
});
const uploadErrors = { ...errors, 413: errors[400], 415: errors[400], 422: errors[400] };

const query = (c: { req: { query: () => Record<string, string> } }) => uploadQuery.parse(c.req.query());

knowledgeUploadRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/knowledge/documents",
    tags,
    summary:
      "Upload a document (Markdown, HTML, plain text or PDF) as a knowledge source; its text is extracted in the background (status 'crawling' until done)",
    description: `Body: multipart/form-data with a \`file\` part (optional \`name\`, \`url\` fields), or the raw file as ${DOCUMENT_CONTENT_TYPES.join(", ")}.`,
    middleware: [...auth, requireRole("admin")] as const,
    request: { query: uploadQuery },
    responses: { 202: jsonResponse(sourceSchema, "Stored; processing queued"), ...uploadErrors },
  }),
  async (c) => {
    const upload = await readUpload(c.req.raw, query(c), uploadLimit(c.env));
    const source = await createDocumentSource(c.get("db"), c.get("principal"), upload, (m) =>
      c.env.KNOWLEDGE_CRAWL.send(m),
    );
    return c.json(source, 202);
  },
);

knowledgeUploadRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/knowledge/documents/{id}",
    tags,
    summary: "Replace a document source's file (its chunks are replaced when the new text is ready)",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam, query: uploadQuery },
    responses: { 202: jsonResponse(sourceSchema, "Stored; processing queued"), ...uploadErrors },
  }),
  async (c) => {
    const upload = await readUpload(c.req.raw, query(c), uploadLimit(c.env));
    const source = await replaceDocument(
      c.get("db"),
      c.get("principal").tenantId,
      c.req.valid("param").id,
      upload,
      (m) => c.env.KNOWLEDGE_CRAWL.send(m),
    );
    return c.json(source, 202);
  },
);

const catalogueResponse = z.object({ source: sourceSchema, report: reportSchema });

knowledgeUploadRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/knowledge/catalogues",
    tags,
    summary:
      "Upload a product catalogue (CSV with a header row, or JSON); one chunk per product with its attributes; rejected rows are reported",
    description:
      "Body: multipart/form-data with a `file` part, or the raw file as text/csv or application/json (an array of products or {products: [...]}). Columns name (or title/product), price, currency; the others become attributes.",
    middleware: [...auth, requireRole("admin")] as const,
    request: { query: uploadQuery },
    responses: { 201: jsonResponse(catalogueResponse, "Indexed"), ...uploadErrors },
  }),
  async (c) => {
    const upload = await readUpload(c.req.raw, query(c), uploadLimit(c.env));
    const saved = await saveCatalogue(c.get("db"), c.get("principal"), upload);
    await queueEmbedding(c.env.KNOWLEDGE_CRAWL, c.get("principal").tenantId, saved.source.id, c.get("log"));
    return c.json(saved, 201);
  },
);

knowledgeUploadRoutes.openapi(
  createRoute({
    method: "put",
    path: "/v1/knowledge/catalogues/{id}",
    tags,
    summary: "Re-upload a product catalogue: its products replace the old ones",
    middleware: [...auth, requireRole("admin")] as const,
    request: { params: idParam, query: uploadQuery },
    responses: { 200: jsonResponse(catalogueResponse, "Replaced"), ...uploadErrors },
  }),
  async (c) => {
    const upload = await readUpload(c.req.raw, query(c), uploadLimit(c.env));
    const saved = await saveCatalogue(c.get("db"), c.get("principal"), upload, c.req.valid("param").id);
    await queueEmbedding(c.env.KNOWLEDGE_CRAWL, c.get("principal").tenantId, saved.source.id, c.get("log"));
    return c.json(saved, 200);
  },
);
