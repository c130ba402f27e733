import { foreignKey, integer, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { bytea, createdAt, tenantId } from "./columns.js";
import { knowledgeSources } from "./knowledge.js";

// An uploaded document waiting for its queue job (issue 5): the request stores the bytes here and
// enqueues; the job extracts the text (PDF, HTML, Markdown, plain text), replaces the source's chunks
// and deletes the row. The deployment has no object store binding, and a document is capped at a
// few megabytes, so Postgres holds it for the minutes it waits. Forced RLS in the hand-written
// migration beside the generated one.

export const knowledgeUploads = pgTable(
  "knowledge_uploads",
  {
    tenantId: tenantId(),
    sourceId: uuid("source_id").notNull(),
    /** The run this upload belongs to; a newer upload of the same source replaces the row. */
    runId: integer("run_id").notNull(),
    fileName: text("file_name").notNull(),
    contentType: text("content_type").notNull(),
    byteSize: integer("byte_size").notNull(),
    data: bytea("data").notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ name: "knowledge_uploads_pk", columns: [t.tenantId, t.sourceId] }),
    foreignKey({
      name: "knowledge_uploads_source_fk",
      columns: [t.tenantId, t.sourceId],
      foreignColumns: [knowledgeSources.tenantId, knowledgeSources.id],
    }).onDelete("cascade"),
  ],
);
