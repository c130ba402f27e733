import { z } from "zod";
import type { ConversationsWriter } from "./channel.js";
import type { Permission } from "./permissions.js";
import type { CompanyChanges, ContactChanges, DealChanges, SyncCapability } from "./sync.js";

// The capabilities a plugin's handlers receive in `ctx`, each opened by one permission. Every call
// goes to the host (env.API) and is checked there again: the types only spare developers a refusal.

/** A small key/value store of the install's own (permission "storage"; quota on the host). */
export interface StorageCapability {
  get<T = unknown>(key: string): Promise<T | null>;
  put(key: string, value: unknown): Promise<void>;
  delete(key: string): Promise<void>;
  list(prefix?: string): Promise<string[]>;
}

export const ContactView = z.object({
  id: z.uuid(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  tags: z.array(z.string()),
  /** The company the person works at (platform 1.4.0). */
  companyId: z.uuid().nullable().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ContactView = z.infer<typeof ContactView>;

export const ContactUpsert = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    email: z.email().max(254).optional(),
    phone: z.string().trim().min(3).max(40).optional(),
    tags: z.array(z.string().trim().min(1).max(50)).max(50).optional(),
    /** The company (null: none); one of the workspace's, by id (platform 1.4.0). */
    companyId: z.uuid().nullable().optional(),
  })
  .refine(
    (c) => c.email !== undefined || c.phone !== undefined,
    "an email or a phone identifies the contact",
  );
export type ContactUpsert = z.infer<typeof ContactUpsert>;

export interface ContactsReader {
  get(id: string): Promise<ContactView | null>;
  findByEmail(email: string): Promise<ContactView | null>;
  /** Contacts changed after the cursor (oldest first, at most `limit`, 200 by default), deletions too. */
  changes(query?: { after?: string | null; limit?: number }): Promise<ContactChanges>;
}
export interface ContactsWriter {
  /** Finds the contact by email (else phone) and updates it, or creates it. */
  upsert(contact: ContactUpsert): Promise<ContactView>;
}

export const CompanyView = z.object({
  id: z.uuid(),
  name: z.string(),
  /** The bare host, lower-cased ("acme.com"): the company's dedupe key. */
  domain: z.string().nullable(),
  tags: z.array(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type CompanyView = z.infer<typeof CompanyView>;

export const CompanyUpsert = z.object({
  /** Updates this company; without it, the one with the domain, else a new one. */
  id: z.uuid().optional(),
  name: z.string().trim().min(1).max(200),
  domain: z.string().trim().min(1).max(253).nullable().optional(),
  tags: z.array(z.string().trim().min(1).max(50)).max(50).optional(),
});
export type CompanyUpsert = z.input<typeof CompanyUpsert>;

export interface CompaniesReader {
  get(id: string): Promise<CompanyView | null>;
  findByDomain(domain: string): Promise<CompanyView | null>;
  /** Companies changed after the cursor (oldest first, at most `limit`), deletions and merges too. */
  changes(query?: { after?: string | null; limit?: number }): Promise<CompanyChanges>;
}
export interface CompaniesWriter {
  upsert(company: CompanyUpsert): Promise<CompanyView>;
}

export const DEAL_STATUSES = ["open", "won", "lost"] as const;
export const DealView = z.object({
  id: z.uuid(),
  title: z.string(),
  amount: z.number(),
  currency: z.string(),
  pipelineId: z.uuid(),
  /** The stage's name in its pipeline, and whether that stage is open, won or lost. */
  stage: z.string(),
  status: z.enum(DEAL_STATUSES),
  expectedCloseDate: z.string().nullable(),
  contactId: z.uuid().nullable(),
  companyId: z.uuid().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type DealView = z.infer<typeof DealView>;

export const DealUpsert = z.object({
  /** Updates this deal; without it a new one is made in the default pipeline. */
  id: z.uuid().optional(),
  title: z.string().trim().min(1).max(200),
  amount: z.number().finite().min(0).max(1e12).optional(),
  currency: z
    .string()
    .regex(/^[A-Za-z]{3}$/, "a three-letter ISO 4217 code")
    .optional(),
  /**
   * A stage of the deal's pipeline by name (any case). A name the pipeline does not have moves the
   * deal by `status` alone: to the first won or lost stage, or, open, leaves it where it is.
   */
  stage: z.string().trim().min(1).max(100).optional(),
  status: z.enum(DEAL_STATUSES).optional(),
  expectedCloseDate: z.iso.date().nullable().optional(),
  contactId: z.uuid().nullable().optional(),
  companyId: z.uuid().nullable().optional(),
  /** Why it was won or lost, when this moves it there. */
  reason: z.string().trim().min(1).max(500).optional(),
});
export type DealUpsert = z.input<typeof DealUpsert>;

export interface DealsReader {
  get(id: string): Promise<DealView | null>;
  /** Deals changed after the cursor (oldest first, at most `limit`), deletions too. */
  changes(query?: { after?: string | null; limit?: number }): Promise<DealChanges>;
}
export interface DealsWriter {
  upsert(deal: DealUpsert): Promise<DealView>;
}

/** The workspace's built-in reports over its analytics rollups (permission "analytics:read"). */
export type ReportQuery = {
  from: string;
  to: string;
  groupBy?: "day" | "week" | "month";
  channel?: string;
  routeId?: string;
  ownerId?: string;
};
/**
 * A query over the workspace's rollups: one metric (an event type's count, or the sum or average of
 * its value: seconds, amounts, scores), split by dimensions, over tenant-local days from..to.
 */
export type MetricQuery = {
  /** An event type of the catalogue, e.g. "lead.created", "message.sent". */
  metric: string;
  measure?: "count" | "sum" | "avg";
  /** period (by groupBy), hour_of_week ("1-09": Monday 09:00–09:59, local), or an event dimension. */
  dimensions?: (
    | "period"
    | "hour_of_week"
    | "weekday"
    | "hour"
    | "channel"
    | "route"
    | "owner"
    | "detail"
    | "step"
  )[];
  from: string;
  to: string;
  groupBy?: "day" | "week" | "month";
  filters?: { channel?: string; route?: string; owner?: string; detail?: string; step?: string };
};
export type MetricRow = Record<string, string | number | null> & { value: number | null };

export interface AnalyticsReader {
  /** funnel, routes, knowledge, agents, pipeline, sla, csat or channels, for dates from..to (YYYY-MM-DD). */
  report(name: string, query: ReportQuery): Promise<{ rows: Record<string, string | number | null>[] }>;
  /** One metric by dimensions, from the rollups (never raw events, never SQL). */
  query(query: MetricQuery): Promise<{ rows: MetricRow[]; timeZone: string }>;
}

export interface Logger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

/** What every handler has, whatever it was granted. */
export type BaseContext = {
  installId: string;
  config: Record<string, unknown>;
  log: Logger;
  /** fetch through the platform's gateway: only the manifest's egress hosts answer. */
  fetch: typeof fetch;
};

type If<P extends Permission, X extends Permission, T> = [X] extends [P] ? T : unknown;

/** `ctx` for a plugin granted the permissions P: only what they open is there. */
export type PluginContext<P extends Permission> = BaseContext &
  If<P, "storage", { storage: StorageCapability }> &
  If<P, "contacts:read", { contacts: ContactsReader }> &
  If<P, "contacts:write", { contacts: ContactsWriter }> &
  If<P, "companies:read", { companies: CompaniesReader }> &
  If<P, "companies:write", { companies: CompaniesWriter }> &
  If<P, "deals:read", { deals: DealsReader }> &
  If<P, "deals:write", { deals: DealsWriter }> &
  If<P, "analytics:read", { analytics: AnalyticsReader }> &
  If<P, "conversations:write", { conversations: ConversationsWriter }> &
  If<P, "sync", { sync: SyncCapability }>;

/** Which capability and method each `ctx` call is on the host (the names the host checks). */
export const CAPABILITY_PERMISSION = {
  storage: { get: "storage", put: "storage", delete: "storage", list: "storage" },
  contacts: {
    get: "contacts:read",
    findByEmail: "contacts:read",
    changes: "contacts:read",
    upsert: "contacts:write",
  },
  companies: {
    get: "companies:read",
    findByDomain: "companies:read",
    changes: "companies:read",
    upsert: "companies:write",
  },
  deals: { get: "deals:read", changes: "deals:read", upsert: "deals:write" },
  sync: { link: "sync", byLocal: "sync", byExternal: "sync", unlink: "sync" },
  analytics: { report: "analytics:read", query: "analytics:read" },
  conversations: { appendInbound: "conversations:write", updateDelivery: "conversations:write" },
} as const satisfies Record<string, Record<string, Permission>>;
export type CapabilityName = keyof typeof CAPABILITY_PERMISSION;
