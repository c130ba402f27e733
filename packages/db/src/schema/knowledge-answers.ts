import { index, pgTable, text, uuid } from "drizzle-orm/pg-core";
import { ts } from "./columns.js";
import { tenantRef } from "./identity.js";

// Questions the knowledge base could not answer (issue 5), one row per time asked, copied from the
// Conversation DO's outbox. The id is the visitor message's id, so a retried copy is inserted once;
// the admin list groups rows by question_key (counts, last asked).
export const knowledgeUnanswered = pgTable(
  "knowledge_unanswered",
  {
    id: uuid("id").primaryKey(),
    tenantId: tenantRef(),
    question: text("question").notNull(),
    /** The question normalised (lower case, collapsed spaces, no trailing punctuation) for grouping. */
    questionKey: text("question_key").notNull(),
    conversationId: uuid("conversation_id"),
    askedAt: ts("asked_at").notNull(),
  },
  (t) => [
    index("knowledge_unanswered_key_idx").on(t.tenantId, t.questionKey, t.askedAt),
    index("knowledge_unanswered_conversation_idx").on(t.tenantId, t.conversationId),
  ],
);
