import { type Database, knowledgeSources, knowledgeUploads, type Tx, withTenant } from "@autopilot/db";
import { and, eq, sql } from "drizzle-orm";
import { AppError, notFound } from "../domain/errors.js";
import type { Principal } from "../domain/principal.js";
import { toBase64 } from "../lib/base64.js";
import type { CrawlMessage } from "./config.js";
import { DOCUMENT_CONTENT_TYPES, type DocumentFormat, documentFormat } from "./documents.js";
import { type SourceView, view } from "./sources.js";
import * as store from "./store.js";

// Uploads of documents and catalogues: reading the request body (multipart `file`, or the raw body
// with its content type), and, for documents, staging the bytes and enqueueing the job that turns
// them into chunks. Nothing is parsed in the request: a 10 MB PDF takes seconds of CPU.

export const MAX_UPLOAD_BYTES = 10_000_000;

/** The upload limit; the environment may lower it (tests) but never lift it. */
export function uploadLimit(env: { KNOWLEDGE_MAX_UPLOAD_BYTES?: string }): number {
  const n = Number(env.KNOWLEDGE_MAX_UPLOAD_BYTES);
  return Number.isFinite(n) && n > 0 ? Math.min(n, MAX_UPLOAD_BYTES) : MAX_UPLOAD_BYTES;
}

export type Upload = {
  fileName: string;
  contentType: string;
  bytes: Uint8Array;
  /** Form fields (multipart) or query parameters (raw body): name, url… */
  fields: Record<string, string>;
};

const tooLarge = (max: number) => new AppError("too_large", `file: at most ${max} bytes`);

/**
 * Reads an upload: `multipart/form-data` with a `file` part (and optional text fields), or the raw
 * body with its own content type and the fields in the query string. The declared length is checked
 * before reading, the real one after.
 */
export async function readUpload(
  req: Request,
  query: Record<string, string>,
  maxBytes: number,
): Promise<Upload> {
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > maxBytes + 64_000) throw tooLarge(maxBytes);
  const contentType = req.headers.get("content-type") ?? "";
  if (contentType.toLowerCase().startsWith("multipart/form-data")) {
    let form: FormData;
    try {
      form = await req.formData();
    } catch {
      throw new AppError("invalid_request", "body: not a readable multipart/form-data body");
    }
    // Typed here because the dashboard's scripts typecheck this file with Node's and the Workers' DOM
    // types together, where FormData.get's File resolves to never.
    const file = form.get("file") as File | string | null;
    if (!file || typeof file === "string")
      throw new AppError("invalid_request", "file: required (a file part named 'file')");
    const fields: Record<string, string> = {};
    for (const [key, value] of form.entries()) if (typeof value === "string") fields[key] = value;
    if (file.size > maxBytes) throw tooLarge(maxBytes);
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (bytes.length === 0) throw new AppError("invalid_request", "file: is empty");
    return { fileName: file.name || fields.name || "upload", contentType: file.type, bytes, fields };
  }
  if (!req.body) throw new AppError("invalid_request", "file: the body is empty");
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.length > maxBytes) throw tooLarge(maxBytes);
  if (bytes.length === 0) throw new AppError("invalid_request", "file: the body is empty");
  return { fileName: query.fileName || query.name || "upload", contentType, bytes, fields: query };
}

/** Optional text fields shared by document and catalogue uploads, validated by hand (form or query). */
export function uploadFields(upload: Upload): { name: string; url: string | null } {
  const name = (upload.fields.name ?? "").trim() || upload.fileName;
  if (name.length > 200) throw new AppError("invalid_request", "name: at most 200 characters");
  const rawUrl = (upload.fields.url ?? "").trim();
  let url: string | null = null;
  if (rawUrl) {
    const parsed = parseUrl(rawUrl);
    if (!parsed || !/^https?:$/.test(parsed.protocol) || rawUrl.length > 2000)
      throw new AppError("invalid_request", "url: must be an http(s) URL (where readers find this document)");
    url = parsed.href;
  }
  return { name, url };
}

export type DocumentConfig = {
  fileName: string;
  contentType: string;
  format: DocumentFormat;
  byteSize: number;
  /** Where readers find the document (cited with its chunks), if anywhere. */
  url: string | null;
};

function documentConfig(upload: Upload): { config: DocumentConfig; name: string } {
  const format = documentFormat(upload.contentType, upload.fileName);
  if (!format)
    throw new AppError(
      "unsupported_media_type",
      `file: send Markdown, HTML, plain text or PDF (${DOCUMENT_CONTENT_TYPES.join(", ")}, or a file name ending .md, .html, .txt or .pdf)`,
    );
  const { name, url } = uploadFields(upload);
  const contentType = upload.contentType.split(";")[0]?.trim() || "application/octet-stream";
  return {
    name,
    config: {
      fileName: upload.fileName.slice(0, 300),
      contentType,
      format,
      byteSize: upload.bytes.length,
      url,
    },
  };
}

export type Enqueue = (message: CrawlMessage) => Promise<unknown>;

/** Stores the upload for run `runId` (replacing an older one) in the caller's transaction. */
async function stage(tx: Tx, source: store.SourceRow, upload: Upload, config: DocumentConfig) {
  const values = {
    tenantId: source.tenantId,
    sourceId: source.id,
    runId: source.runId,
    fileName: config.fileName,
    contentType: config.contentType,
    byteSize: config.byteSize,
    data: sql`decode(${toBase64(upload.bytes)}, 'base64')`,
  };
  await tx
    .insert(knowledgeUploads)
    .values(values)
    .onConflictDoUpdate({
      target: [knowledgeUploads.tenantId, knowledgeUploads.sourceId],
      set: { ...values, createdAt: sql`now()` },
    });
}

/** A new document source: stored, staged, and queued for its job (202 with status 'crawling'). */
export async function createDocumentSource(
  db: Database,
  principal: Principal,
  upload: Upload,
  enqueue: Enqueue,
): Promise<SourceView> {
  const { name, config } = documentConfig(upload);
  const source = await withTenant(db, principal.tenantId, async (tx) => {
    const [row] = await tx
      .insert(knowledgeSources)
      .values({
        tenantId: principal.tenantId,
        kind: "document",
        name,
        config,
        status: "crawling",
        runId: 1,
        lastRunStartedAt: sql`now()`,
      })
      .returning();
    if (!row) throw new Error("insert returned no row");
    await stage(tx, row, upload, config);
    return row;
  });
  await enqueue({ type: "document", tenantId: principal.tenantId, sourceId: source.id, runId: source.runId });
  return view(source);
}

/** Replaces a document source's file: a new run; the old chunks stay until the new ones are ready. */
export async function replaceDocument(
  db: Database,
  tenantId: string,
  id: string,
  upload: Upload,
  enqueue: Enqueue,
): Promise<SourceView> {
  const { name, config } = documentConfig(upload);
  const source = await withTenant(db, tenantId, async (tx) => {
    const row = await store.getSource(tx, tenantId, id);
    if (row?.kind !== "document") throw notFound("document source");
    const [updated] = await tx
      .update(knowledgeSources)
      .set({
        name: upload.fields.name?.trim() ? name : row.name,
        config,
        status: "crawling",
        runId: sql`${knowledgeSources.runId} + 1`,
        lastRunStartedAt: sql`now()`,
        lastError: null,
        updatedAt: sql`now()`,
      })
      .where(and(eq(knowledgeSources.tenantId, tenantId), eq(knowledgeSources.id, id)))
      .returning();
    if (!updated) throw notFound("document source");
    await stage(tx, updated, upload, config);
    return updated;
  });
  await enqueue({ type: "document", tenantId, sourceId: source.id, runId: source.runId });
  return view(source);
}

function parseUrl(text: string): URL | null {
  try {
    return new URL(text);
  } catch {
    return null;
  }
}
