// Shared by the inbox, contacts, companies, leads and deals screens: shapes of API answers the OpenAPI
// document leaves open (conversations, transcripts), names of members, and labels. Dates and amounts
// are formatted by lib/format.ts, the workspace's way.

export type Member = { userId: string; name: string; email: string; role: string };

export type ConversationStatus = "bot" | "waiting" | "human" | "closed";
export const CONVERSATION_STATUSES: readonly ConversationStatus[] = ["bot", "waiting", "human", "closed"];
export const STATUS_LABEL: Record<ConversationStatus, string> = {
  bot: "Bot",
  waiting: "Waiting for a human",
  human: "With an agent",
  closed: "Closed",
};

/** A row of GET /v1/conversations (its schema is an open record; these are the fields it has). */
export type ConversationRow = {
  id: string;
  channel: string;
  status: ConversationStatus;
  visitorId: string;
  assigneeId: string | null;
  contactId: string | null;
  lastMessage: string | null;
  lastMessageAt: string | null;
  messageCount: number;
  csatScore: number | null;
  csatComment?: string | null;
  createdAt: string;
  closedAt: string | null;
  /** The customer, once the chat made them a contact. */
  contactName?: string | null;
  contactEmail?: string | null;
  /** The lead the chat produced and its owner (who owns the customer while nobody is assigned). */
  leadId?: string | null;
  leadOwnerId?: string | null;
  /** Visitor messages the signed-in member has not read (null for API keys). */
  unread?: number | null;
};

export type Message = {
  id: string;
  seq: number;
  sender: "visitor" | "bot" | "agent" | "system" | "note";
  authorId: string | null;
  text: string;
  createdAt: string;
};

export type Transcript = {
  conversation: Omit<ConversationRow, "lastMessage" | "lastMessageAt" | "messageCount" | "contactId">;
  messages: Message[];
};

export const LEAD_STATUSES = ["new", "qualifying", "mql", "sql", "converted", "disqualified"] as const;
export const ACTIVITY_KINDS = ["call", "email", "meeting", "note", "task"] as const;
export const ACTIVITY_LABEL: Record<(typeof ACTIVITY_KINDS)[number], string> = {
  call: "Call",
  email: "Email",
  meeting: "Meeting",
  note: "Note",
  task: "Task",
};

/** "Anna Berg", "Unassigned", or "Someone" for an id no longer in the workspace. */
export function memberName(members: readonly Member[], id: string | null | undefined): string {
  if (!id) return "Unassigned";
  return members.find((m) => m.userId === id)?.name || "Someone";
}

export const LEAD_STATUS_LABEL: Record<(typeof LEAD_STATUSES)[number], string> = {
  new: "New",
  qualifying: "Qualifying",
  mql: "MQL",
  sql: "SQL",
  converted: "Converted",
  disqualified: "Disqualified",
};

/** "company_size" → "Company size": a collected field's name as a label. */
export function fieldLabel(name: string): string {
  const words = name
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .replace(/[_-]+/g, " ")
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * A value a chat form collected, as a person reads it: a name's full form, an amount with its
 * currency, a date, a list; JSON only for shapes nobody expects.
 */
export function fieldValue(value: unknown, money: (amount: number, currency: string) => string): string {
  if (value === null || value === undefined || value === "") return "—";
  if (typeof value === "boolean") return value ? "Yes" : "No";
  if (typeof value === "string" || typeof value === "number") return String(value);
  if (Array.isArray(value)) return value.map((v) => fieldValue(v, money)).join(", ");
  if (typeof value === "object") {
    const v = value as Record<string, unknown>;
    if (typeof v.full === "string") return v.full;
    if (typeof v.amount === "number")
      return typeof v.currency === "string" ? money(v.amount, v.currency) : String(v.amount);
    if (typeof v.label === "string") return v.label;
  }
  return JSON.stringify(value);
}

/** The query string of `params` with `changes` applied (null removes a key). */
export function withParams(params: URLSearchParams, changes: Record<string, string | null>): string {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null || value === "") next.delete(key);
    else next.set(key, value);
  }
  const s = next.toString();
  return s ? `?${s}` : "?";
}
