import { sql } from "drizzle-orm";
import {
  boolean,
  foreignKey,
  index,
  jsonb,
  pgTable,
  primaryKey,
  text,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { createdAt, id, ts } from "./columns.js";
import { tenantRef } from "./identity.js";

/** Which records a custom attribute or tag belongs to. */
export const CRM_ENTITIES = ["contact", "company", "lead", "deal"] as const;
export type CrmEntity = (typeof CRM_ENTITIES)[number];
export const ATTRIBUTE_TYPES = ["text", "number", "boolean", "date", "choice"] as const;
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** Consent the person gave, per purpose; `updatedAt` says when it last changed. */
export type Consent = { email: boolean; sms: boolean; tracking: boolean; updatedAt: string | null };

export const companies = pgTable(
  "companies",
  {
    id: id(),
    tenantId: tenantRef(),
    name: text("name").notNull(),
    domain: text("domain"),
    attributes: jsonb("attributes").$type<Record<string, unknown>>().notNull().default({}),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    mergedIntoId: uuid("merged_into_id"),
    createdAt: createdAt(),
    updatedAt: ts("updated_at")
      .notNull()
      .defaultNow()
      .$onUpdate(() => new Date()),
  },
  (t) => [
    // Target of composite foreign keys: children carry (tenant_id, company_id).
    unique("companies_tenant_id_key").on(t.tenantId, t.id),
    uniqueIndex("companies_domain_key")
      .on(t.tenantId, t.domain)
      .where(sql`domain is not null and merged_into_id is null`),
    index("companies_tenant_name_idx").on(t.tenantId, t.name),
    // The changes feed of sync plugins (companies changed since a cursor).
    index("companies_tenant_updated_idx").on(t.tenantId, t.updatedAt, t.id),
  ],
);

export const contacts = pgTable(
  "contacts",
  {
    id: id(),
    tenantId: tenantRef(),
    companyId: uuid("company_id"),
    name: text("name").notNull().default(""),
    email: text("email"),
    /** lower(trim(email)): the dedupe key. */
    emailNormalized: text("email_normalized"),
    phone: text("phone"),
    /** E.164: the other dedupe key. */
    phoneE164: text("phone_e164"),
    attributes: jsonb("attributes").$type<Record<string, unknown>>().notNull().default({}),
    tags: text("tags").array().notNull().default(sql`'{}'::text[]`),
    consent: jsonb("consent")
      .$type<Consent>()
      .notNull()
      .default({ email: false, sms: false, tracking: false, updatedAt: null }),
    source: text("source"),
    /** Set when this contact was merged into another; it stays only as a pointer. */
    mergedIntoId: uuid("merged_into_id"),
    erasedAt: ts("erased_at"),
    createdAt: createdAt(),
    updatedAt: ts("updated_at")
      .notNull()
      .defaultNow()
      .$onUpdate(() => new Date()),
  },
  (t) => [
    unique("contacts_tenant_id_key").on(t.tenantId, t.id),
    foreignKey({ columns: [t.tenantId, t.companyId], foreignColumns: [companies.tenantId, companies.id] }),
    uniqueIndex("contacts_email_key")
      .on(t.tenantId, t.emailNormalized)
      .where(sql`email_normalized is not null and merged_into_id is null`),
    uniqueIndex("contacts_phone_key")
      .on(t.tenantId, t.phoneE164)
      .where(sql`phone_e164 is not null and merged_into_id is null`),
    index("contacts_tenant_created_idx").on(t.tenantId, t.createdAt, t.id),
    // The changes feed of sync plugins (contacts changed since a cursor).
    index("contacts_tenant_updated_idx").on(t.tenantId, t.updatedAt, t.id),
    index("contacts_tags_idx").using("gin", t.tags),
  ],
);

/** Typed custom attributes, per tenant and entity; values live in each record's `attributes`. */
export const attributeDefinitions = pgTable(
  "attribute_definitions",
  {
    tenantId: tenantRef(),
    entity: text("entity", { enum: CRM_ENTITIES }).notNull(),
    key: text("key").notNull(),
    label: text("label").notNull(),
    type: text("type", { enum: ATTRIBUTE_TYPES }).notNull(),
    options: text("options").array().notNull().default(sql`'{}'::text[]`),
    required: boolean("required").notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.entity, t.key] })],
);

/** The tenant's tag catalogue (records carry tag names in a text[] column). */
export const tags = pgTable(
  "tags",
  {
    tenantId: tenantRef(),
    name: text("name").notNull(),
    color: text("color"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.name] })],
);
