import { sql } from "drizzle-orm";
import {
  boolean,
  customType,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, id, tenantId, ts } from "./columns.js";
import { contacts } from "./contacts.js";
import { memberOf, tenantRef, tenants } from "./identity.js";

// Conversations, their messages and the configuration that drives them (routes, compiled router,
// widget keys, AI settings). The Conversation Durable Object is the live authority for an open
// conversation; these rows are the system of record it copies to through its outbox.

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });

export const CONVERSATION_STATUSES = ["bot", "waiting", "human", "closed"] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];
export const MESSAGE_SENDERS = ["visitor", "bot", "agent", "system", "note"] as const;
export type MessageSender = (typeof MESSAGE_SENDERS)[number];
/** An agent's presence: the one source that the inbox shows and lead assignment reads. */
export const AGENT_PRESENCES = ["online", "away", "offline"] as const;
export type AgentPresence = (typeof AGENT_PRESENCES)[number];

export const conversations = pgTable(
  "conversations",
  {
    // Chosen by edge-api before the DO exists, so the DO's name and the row agree.
    id: uuid("id").primaryKey(),
    tenantId: tenantRef(),
    channel: text("channel").notNull(),
    status: text("status", { enum: CONVERSATION_STATUSES }).notNull().default("bot"),
    visitorId: text("visitor_id").notNull(),
    // The CRM contact this visitor became (set when the conversation upserts a contact): GDPR export
    // and erasure find a person's conversations through it.
    contactId: uuid("contact_id"),
    assigneeId: uuid("assignee_id"),
    routesVersion: integer("routes_version").notNull().default(0),
    lastMessage: text("last_message").notNull().default(""),
    lastMessageAt: ts("last_message_at"),
    messageCount: integer("message_count").notNull().default(0),
    csatScore: integer("csat_score"),
    csatComment: text("csat_comment"),
    // Monotonic per conversation (the DO's status sequence): an older copy never overwrites a newer one.
    revision: integer("revision").notNull().default(0),
    createdAt: createdAt(),
    closedAt: ts("closed_at"),
  },
  (t) => [
    unique("conversations_tenant_id_key").on(t.tenantId, t.id),
    index("conversations_inbox_idx").on(t.tenantId, t.status, t.lastMessageAt),
    index("conversations_assignee_idx").on(t.tenantId, t.assigneeId),
    foreignKey({ columns: [t.tenantId, t.contactId], foreignColumns: [contacts.tenantId, contacts.id] }),
    index("conversations_contact_idx").on(t.tenantId, t.contactId),
  ],
);

export const messages = pgTable(
  "messages",
  {
    // Chosen by the DO, so a retried outbox copy inserts each message once.
    id: uuid("id").primaryKey(),
    tenantId: tenantRef(),
    conversationId: uuid("conversation_id").notNull(),
    seq: integer("seq").notNull(),
    sender: text("sender", { enum: MESSAGE_SENDERS }).notNull(),
    authorId: uuid("author_id"),
    text: text("text").notNull(),
    data: jsonb("data").notNull().default({}),
    search: tsvector("search").notNull().generatedAlwaysAs(sql`to_tsvector('simple', "text")`),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({
      columns: [t.tenantId, t.conversationId],
      foreignColumns: [conversations.tenantId, conversations.id],
    }).onDelete("cascade"),
    uniqueIndex("messages_conversation_seq_key").on(t.tenantId, t.conversationId, t.seq),
    index("messages_search_idx").using("gin", t.search),
  ],
);

/** How far each member has read each conversation: the inbox's unread counts are the visitor's messages past it. */
export const conversationReads = pgTable(
  "conversation_reads",
  {
    tenantId: tenantRef(),
    conversationId: uuid("conversation_id").notNull(),
    userId: uuid("user_id").notNull(),
    lastReadSeq: integer("last_read_seq").notNull().default(0),
    readAt: ts("read_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.conversationId, t.userId] }),
    foreignKey({
      columns: [t.tenantId, t.conversationId],
      foreignColumns: [conversations.tenantId, conversations.id],
    }).onDelete("cascade"),
  ],
);

/** The tenant's current routes (playbooks); each change bumps the tenant's routes version. */
export const routes = pgTable(
  "routes",
  {
    tenantId: tenantRef(),
    id: text("id").notNull(),
    definition: jsonb("definition").notNull(),
    /** The routes version in which this route last changed. */
    version: integer("version").notNull(),
    createdAt: createdAt(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] })],
);

/** One row per routes version: the snapshot of every route and the router compiled from them. */
export const routerModels = pgTable(
  "router_models",
  {
    tenantId: tenantRef(),
    version: integer("version").notNull(),
    routes: jsonb("routes").notNull(),
    model: jsonb("model").notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.version] })],
);

export const cannedReplies = pgTable(
  "canned_replies",
  {
    id: id(),
    tenantId: tenantRef(),
    shortcut: text("shortcut").notNull(),
    text: text("text").notNull(),
    createdAt: createdAt(),
  },
  (t) => [unique("canned_replies_shortcut_key").on(t.tenantId, t.shortcut)],
);

export const agentPresence = pgTable(
  "agent_presence",
  {
    tenantId: tenantId(),
    userId: uuid("user_id").notNull(),
    status: text("status", { enum: AGENT_PRESENCES }).notNull(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.userId] }),
    memberOf(t.tenantId, t.userId).onDelete("cascade"),
  ],
);

/** Public keys for the web chat widget (the one `<script>` tag) and what the widget shows. */
export const widgetKeys = pgTable(
  "widget_keys",
  {
    id: id(),
    tenantId: tenantRef(),
    publicKey: text("public_key").notNull(),
    settings: jsonb("settings").notNull().default({}),
    /** Origins allowed to embed the widget; empty means any. */
    allowedOrigins: text("allowed_origins").array().notNull().default(sql`'{}'::text[]`),
    enabled: boolean("enabled").notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("widget_keys_public_key_key").on(t.publicKey)],
);

/** The tenant's AI provider; the API key is AES-GCM ciphertext under the AI_MASTER_KEY binding. */
export const aiSettings = pgTable("ai_settings", {
  tenantId: uuid("tenant_id")
    .primaryKey()
    .references(() => tenants.id, { onDelete: "cascade" }),
  provider: text("provider", { enum: ["offline", "openai", "workers-ai"] })
    .notNull()
    .default("offline"),
  baseUrl: text("base_url"),
  model: text("model"),
  apiKeyCiphertext: text("api_key_ciphertext"),
  /**
   * The provider's embedding model (its /v1/embeddings, same base URL and key), when knowledge
   * retrieval should be hybrid; null keeps it lexical only.
   */
  embeddingModel: text("embedding_model"),
  dailyTokenBudget: integer("daily_token_budget").notNull().default(200000),
  updatedAt: ts("updated_at").notNull().defaultNow(),
});
