import { type SQL, sql } from "drizzle-orm";
import {
  customType,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  real,
  smallint,
  text,
  unique,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, id, tenantId, ts } from "./columns.js";
import { tenantRef, tenants } from "./identity.js";

// Knowledge base (issue 5). Row-level security is in the hand-written migration next to the generated
// one. The crawl frontier lives in knowledge_pages (status 'queued'), so the crawler is a chain of
// bounded queue jobs that can die and resume, the unique (source, url) key is the loop protection,
// and progress is a count over the same rows.

// drizzle has no tsvector / regconfig types; both only pass through SQL, never through JS values
// other than the config name.
const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });
const regconfig = customType<{ data: string }>({ dataType: () => "regconfig" });

export const KNOWLEDGE_SOURCE_KINDS = ["website", "document", "faq", "catalogue"] as const;
export type KnowledgeSourceKind = (typeof KNOWLEDGE_SOURCE_KINDS)[number];
/** idle: nothing to do; crawling: a job chain is working through queued pages; failed: the run stopped. */
export const KNOWLEDGE_SOURCE_STATUSES = ["idle", "crawling", "failed"] as const;
export const KNOWLEDGE_PAGE_STATUSES = ["queued", "fetched", "skipped", "failed"] as const;

/** Per-tenant knowledge settings; a tenant without a row indexes with the 'english' configuration. */
export const knowledgeSettings = pgTable("knowledge_settings", {
  tenantId: uuid("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  // A Postgres text-search configuration name ('english', 'french', 'simple'…); regconfig so that
  // an unknown name is rejected by the database and the generated tsvector stays immutable.
  language: regconfig("language").notNull().default(sql`'english'::regconfig`),
  // Claims a knowledge answer must never make (e.g. "discount"): case-insensitive phrases and
  // regular expressions, checked per sentence before anything reaches a customer.
  forbiddenPhrases: text("forbidden_phrases").array().notNull().default(sql`'{}'::text[]`),
  forbiddenPatterns: text("forbidden_patterns").array().notNull().default(sql`'{}'::text[]`),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});

export const knowledgeSources = pgTable(
  "knowledge_sources",
  {
    id: id(),
    tenantId: tenantRef(),
    kind: text("kind", { enum: KNOWLEDGE_SOURCE_KINDS }).notNull(),
    name: text("name").notNull(),
    /** Kind-specific, validated by the API's zod schema (website: startUrl, caps, patterns…). */
    config: jsonb("config").notNull(),
    status: text("status", { enum: KNOWLEDGE_SOURCE_STATUSES }).notNull().default("idle"),
    /** Bumped by every run; a job for an older run stops, so "refresh now" never runs twice. */
    runId: integer("run_id").notNull().default(0),
    refreshIntervalHours: integer("refresh_interval_hours"),
    nextRefreshAt: ts("next_refresh_at"),
    lastRunStartedAt: ts("last_run_started_at"),
    lastRunFinishedAt: ts("last_run_finished_at"),
    lastError: text("last_error"),
    pageCount: integer("page_count").notNull().default(0),
    chunkCount: integer("chunk_count").notNull().default(0),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    unique("knowledge_sources_tenant_id_key").on(t.tenantId, t.id),
    index("knowledge_sources_due_idx").on(t.nextRefreshAt),
  ],
);

export const knowledgePages = pgTable(
  "knowledge_pages",
  {
    id: id(),
    tenantId: tenantId(),
    sourceId: uuid("source_id").notNull(),
    url: text("url").notNull(),
    depth: smallint("depth").notNull().default(0),
    status: text("status", { enum: KNOWLEDGE_PAGE_STATUSES }).notNull().default("queued"),
    /** Why a page was skipped or failed (robots, content_type, too_large, timeout, http_404…). */
    reason: text("reason"),
    /** The run that last queued or saw this page; pages not seen by a finished run disappeared. */
    runId: integer("run_id").notNull().default(0),
    title: text("title"),
    etag: text("etag"),
    lastModified: text("last_modified"),
    contentHash: text("content_hash"),
    fetchedAt: ts("fetched_at"),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({
      name: "knowledge_pages_source_fk",
      columns: [t.tenantId, t.sourceId],
      foreignColumns: [knowledgeSources.tenantId, knowledgeSources.id],
    }).onDelete("cascade"),
    unique("knowledge_pages_source_url_key").on(t.tenantId, t.sourceId, t.url),
    unique("knowledge_pages_tenant_id_key").on(t.tenantId, t.id),
    index("knowledge_pages_queue_idx").on(t.tenantId, t.sourceId, t.status),
  ],
);

export const knowledgeChunks = pgTable(
  "knowledge_chunks",
  {
    id: id(),
    tenantId: tenantId(),
    sourceId: uuid("source_id").notNull(),
    /** Null for sources without pages (FAQ pairs, catalogue rows). */
    pageId: uuid("page_id"),
    url: text("url"),
    headingPath: text("heading_path").array().notNull(),
    // The path joined (" > "), because array_to_string is not immutable and cannot feed the
    // generated tsvector; also the prefix a prompt shows before the text.
    headingText: text("heading_text").notNull().default(""),
    text: text("text").notNull(),
    tokenCount: integer("token_count").notNull(),
    position: integer("position").notNull().default(0),
    /** sha-256 of the normalised text: the same text is stored once per tenant. */
    contentHash: text("content_hash").notNull(),
    language: regconfig("language").notNull().default(sql`'english'::regconfig`),
    // Headings weigh more than body text (A vs D) so a query naming a section ranks it first.
    tsv: tsvector("tsv")
      .notNull()
      .generatedAlwaysAs(
        (): SQL =>
          sql`setweight(to_tsvector(language, heading_text), 'A') || setweight(to_tsvector(language, text), 'D')`,
      ),
    /**
     * The chunk's embedding, when the tenant has an embedding provider (null otherwise). A plain
     * real[] because pgvector is not available everywhere (not in PGlite); see search.ts.
     */
    embedding: real("embedding").array(),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({
      name: "knowledge_chunks_source_fk",
      columns: [t.tenantId, t.sourceId],
      foreignColumns: [knowledgeSources.tenantId, knowledgeSources.id],
    }).onDelete("cascade"),
    foreignKey({
      name: "knowledge_chunks_page_fk",
      columns: [t.tenantId, t.pageId],
      foreignColumns: [knowledgePages.tenantId, knowledgePages.id],
    }).onDelete("cascade"),
    unique("knowledge_chunks_tenant_hash_key").on(t.tenantId, t.contentHash),
    index("knowledge_chunks_page_idx").on(t.tenantId, t.pageId),
    index("knowledge_chunks_source_idx").on(t.tenantId, t.sourceId),
    index("knowledge_chunks_tsv_idx").using("gin", t.tsv),
  ],
);
