import { type Database, withTenant } from "@autopilot/db";
import { sql } from "drizzle-orm";
import { fromBase64 } from "../lib/base64.js";
import type { Logger } from "../lib/log.js";
import { chunkSections } from "./chunk.js";
import type { CrawlMessage } from "./config.js";
import { DOCUMENT_FORMATS, parseDocument } from "./documents.js";
import * as store from "./store.js";

// The queue job of an uploaded document: reads the staged bytes, extracts the text as heading
// sections, replaces the source's chunks and deletes the staged upload, in one transaction (the old
// chunks answer until the new ones are in). A file that cannot be read ends the run as failed with
// the reason (retrying cannot fix it); a database error throws and the queue retries the job.

export type DocumentJobResult = { chunks: number; stale?: boolean; error?: string };

export async function runDocumentJob(
  db: Database,
  message: CrawlMessage,
  log: Logger,
): Promise<DocumentJobResult> {
  const { tenantId, sourceId, runId } = message;
  const loaded = await withTenant(db, tenantId, async (tx) => {
    const source = await store.getSource(tx, tenantId, sourceId);
    if (!source || source.runId !== runId || source.status !== "crawling") return null;
    const result = await tx.execute<{ run_id: number; file_name: string; data: string }>(
      sql`select run_id, file_name, encode(data, 'base64') as data from knowledge_uploads
          where tenant_id = ${tenantId} and source_id = ${sourceId}`,
    );
    return { source, upload: result.rows[0] };
  });
  // Deleted, or replaced by a newer upload whose own message will do the work.
  if (!loaded) return { chunks: 0, stale: true };
  const { source, upload } = loaded;
  const fail = async (error: string) => {
    await withTenant(db, tenantId, async (tx) => {
      await tx.execute(
        sql`delete from knowledge_uploads where tenant_id = ${tenantId} and source_id = ${sourceId}`,
      );
      await store.finishRun(tx, source, runId, error);
    });
    log.warn("knowledge document failed", { tenantId, sourceId, error });
    return { chunks: 0, error };
  };
  if (!upload || upload.run_id !== runId) return fail("upload_missing");
  const config = source.config as { format?: string; url?: string | null };
  const format = DOCUMENT_FORMATS.find((f) => f === config.format);
  if (!format) return fail("invalid_config");

  let chunks: ReturnType<typeof chunkSections>;
  try {
    const parsed = await parseDocument(format, fromBase64(upload.data), source.name);
    chunks = chunkSections(parsed.sections);
  } catch (error) {
    return fail(`unreadable: ${String(error instanceof Error ? error.message : error).slice(0, 200)}`);
  }
  // A scanned PDF (images only) or an empty page: nothing to index is an error the admin must see.
  if (chunks.length === 0) return fail("no_text");
  const count = await withTenant(db, tenantId, async (tx) => {
    const n = await store.replaceSourceChunks(tx, source, chunks, config.url ?? null);
    await tx.execute(
      sql`delete from knowledge_uploads where tenant_id = ${tenantId} and source_id = ${sourceId}`,
    );
    await store.finishRun(tx, source, runId);
    return n;
  });
  return { chunks: count };
}
