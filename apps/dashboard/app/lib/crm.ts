import type { components } from "./api-schema.js";

// Shared by the inbox, contacts, companies, leads and deals screens: the API's shapes under short
// names, names of members, and labels. Dates and amounts are formatted by lib/format.ts, the
// workspace's way. Lists of values mirror the API's enums, checked against them (a value the API
// adds and a list here misses is a type error, not a silent gap).

type Schemas = components["schemas"];

/** Every value of the union `T` is in `list` (else a type error naming the missing ones). */
export const covers =
  <T extends string>() =>
  <const L extends readonly T[]>(list: L & ([Exclude<T, L[number]>] extends [never] ? unknown : never)) =>
    list;

export type Member = { userId: string; name: string; email: string; role: string };

export type ConversationStatus = Schemas["Conversation"]["status"];
export const CONVERSATION_STATUSES = covers<ConversationStatus>()(["bot", "waiting", "human", "closed"]);
export const STATUS_LABEL: Record<ConversationStatus, string> = {
  bot: "Bot",
  waiting: "Waiting for a human",
  human: "With an agent",
  closed: "Closed",
};

/** A row of GET /v1/conversations. */
export type ConversationRow = Schemas["InboxConversation"];
export type Message = Schemas["Message"];
/** A conversation with its messages (GET /v1/conversations/{id}). */
export type Transcript = Schemas["ConversationTurn"];

export const LEAD_STATUSES = covers<Schemas["Lead"]["status"]>()([
  "new",
  "qualifying",
  "mql",
  "sql",
  "converted",
  "disqualified",
]);
export const ACTIVITY_KINDS = covers<Schemas["Activity"]["kind"]>()([
  "call",
  "email",
  "meeting",
  "note",
  "task",
]);
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

/**
 * The query of a searchable, cursor-paged list (contacts, companies): its search, tag, cursor and
 * sort from the page's URL; names sort A→Z, dates newest first.
 */
export function searchPageQuery<S extends string>(params: URLSearchParams, sort: S) {
  return {
    q: params.get("q") || undefined,
    tag: params.get("tag") || undefined,
    cursor: params.get("cursor") || undefined,
    sort,
    order: sort === "name" ? ("asc" as const) : ("desc" as const),
    limit: 50,
  };
}
