import { type Database, withTenant } from "@autopilot/db";
import { sql } from "drizzle-orm";
import type { Embedder } from "../ai/embeddings.js";
import type { Logger } from "../lib/log.js";
import type { EmbedMessage } from "./config.js";

// Stores embeddings for a source's chunks that have none, after the queue job that inserted them
// (outside its transaction: a provider call must not hold a database connection). Batched; bounded
// per job; a failed call stops here and leaves the rest lexical-only (logged). A chunk without an
// embedding is picked up again by the source's next job (refresh, re-upload), since the query is
// "embedding is null", not "chunks of this run".

/** Texts per /v1/embeddings call: well inside every provider's input limits at a few hundred tokens each. */
const BATCH = 64;
/** Calls per job: the bound on its time (the rest waits for the source's next job). */
const MAX_BATCHES = 40;

/** A real[] literal (Postgres array syntax), passed as one parameter. */
export const realArray = (v: number[]) => `{${v.join(",")}}`;

export async function embedSourceChunks(
  db: Database,
  tenantId: string,
  sourceId: string,
  embedder: Embedder,
  log: Logger,
): Promise<{ embedded: number; failed: boolean }> {
  let embedded = 0;
  for (let batch = 0; batch < MAX_BATCHES; batch++) {
    const rows = await withTenant(db, tenantId, async (tx) => {
      const r = await tx.execute<{ id: string; heading_text: string; text: string }>(sql`
        select id, heading_text, text from knowledge_chunks
        where tenant_id = ${tenantId} and source_id = ${sourceId} and embedding is null
        order by id limit ${BATCH}`);
      return r.rows;
    });
    if (rows.length === 0) break;
    let vectors: number[][];
    try {
      // The heading path is part of what a chunk is about, as it is for the tsvector.
      vectors = await embedder.embed(
        rows.map((r) => (r.heading_text ? `${r.heading_text}\n${r.text}` : r.text)),
      );
    } catch (error) {
      log.warn("embedding failed; chunks stay lexical-only", {
        tenantId,
        sourceId,
        model: embedder.model,
        error: String(error),
      });
      return { embedded, failed: true };
    }
    await withTenant(db, tenantId, async (tx) => {
      for (const [i, r] of rows.entries())
        await tx.execute(sql`
          update knowledge_chunks set embedding = ${realArray(vectors[i] as number[])}::real[]
          where tenant_id = ${tenantId} and id = ${r.id}`);
    });
    embedded += rows.length;
    if (rows.length < BATCH) break;
  }
  return { embedded, failed: false };
}

/**
 * For a source indexed in its request (FAQ pairs, a catalogue): queues the embedding step, which the
 * consumer runs when the tenant has an embedding model. Best effort after the commit: if the queue
 * refuses, the chunks stay lexical-only until the source is saved again (logged).
 */
export async function queueEmbedding(
  queue: Queue,
  tenantId: string,
  sourceId: string,
  log: Logger,
): Promise<void> {
  const message: EmbedMessage = { type: "embed", tenantId, sourceId };
  await queue
    .send(message)
    .catch((error) =>
      log.warn("could not queue the embedding step", { tenantId, sourceId, error: String(error) }),
    );
}
