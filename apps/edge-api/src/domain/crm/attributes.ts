import {
  type AttributeType,
  attributeDefinitions,
  type CrmEntity,
  type Database,
  type Tx,
  tags as tagTable,
  withTenant,
} from "@autopilot/db";
import { and, eq } from "drizzle-orm";
import { AppError } from "../errors.js";

const DATE = /^\d{4}-\d{2}-\d{2}$/;

function fits(type: AttributeType, options: string[], value: unknown): string | null {
  if (value === null) return null; // null clears a value
  switch (type) {
    case "text":
      return typeof value === "string" && value.length <= 2000
        ? null
        : "must be a string (≤ 2000 characters)";
    case "number":
      return typeof value === "number" && Number.isFinite(value) ? null : "must be a number";
    case "boolean":
      return typeof value === "boolean" ? null : "must be true or false";
    case "date":
      return typeof value === "string" && DATE.test(value) && !Number.isNaN(Date.parse(value))
        ? null
        : "must be a date YYYY-MM-DD";
    case "choice":
      return typeof value === "string" && options.includes(value)
        ? null
        : `must be one of ${options.join(", ")}`;
  }
}

/**
 * Checks custom attribute values against the tenant's definitions for `entity`. Defined keys must
 * have their type; unknown keys are refused unless `allowUnknown` (lead attributes carry free fit
 * data from chat forms). On create, required attributes must be present.
 */
export async function checkAttributes(
  tx: Tx,
  entity: CrmEntity,
  values: Record<string, unknown> | undefined,
  opts: { creating: boolean; allowUnknown?: boolean },
): Promise<void> {
  const defs = await tx.select().from(attributeDefinitions).where(eq(attributeDefinitions.entity, entity));
  const byKey = new Map(defs.map((d) => [d.key, d]));
  for (const [key, value] of Object.entries(values ?? {})) {
    const def = byKey.get(key);
    if (!def) {
      if (opts.allowUnknown) continue;
      throw new AppError("invalid_request", `attributes.${key}: no such ${entity} attribute is defined`);
    }
    const problem = fits(def.type, def.options, value);
    if (problem) throw new AppError("invalid_request", `attributes.${key}: ${problem}`);
  }
  if (opts.creating) {
    for (const def of defs) {
      if (def.required && (values?.[def.key] === undefined || values[def.key] === null)) {
        throw new AppError("invalid_request", `attributes.${def.key}: required`);
      }
    }
  }
}

/** Adds tags to the tenant's catalogue (records keep the names; the catalogue lists what exists). */
export async function rememberTags(
  tx: Tx,
  tenantId: string,
  names: readonly string[] | undefined,
): Promise<void> {
  if (!names || names.length === 0) return;
  await tx
    .insert(tagTable)
    .values([...new Set(names)].map((name) => ({ tenantId, name })))
    .onConflictDoNothing();
}

export async function listAttributeDefinitions(tx: Tx, entity?: CrmEntity) {
  return tx
    .select()
    .from(attributeDefinitions)
    .where(entity ? and(eq(attributeDefinitions.entity, entity)) : undefined)
    .orderBy(attributeDefinitions.entity, attributeDefinitions.key);
}

export type AttributeDefinitionInput = {
  entity: CrmEntity;
  key: string;
  label: string;
  type: AttributeType;
  options?: string[];
  required?: boolean;
};

/** Defines (or redefines) a custom attribute; existing values are not rewritten. */
export async function defineAttribute(tx: Tx, tenantId: string, input: AttributeDefinitionInput) {
  if (input.type === "choice" && (!input.options || input.options.length === 0)) {
    throw new AppError("invalid_request", "options: a choice attribute needs at least one option");
  }
  const values = { tenantId, ...input, options: input.options ?? [], required: input.required ?? false };
  const [row] = await tx
    .insert(attributeDefinitions)
    .values(values)
    .onConflictDoUpdate({
      target: [attributeDefinitions.tenantId, attributeDefinitions.entity, attributeDefinitions.key],
      set: { label: values.label, type: values.type, options: values.options, required: values.required },
    })
    .returning();
  return row;
}

export async function listTags(tx: Tx) {
  return tx.select({ name: tagTable.name, color: tagTable.color }).from(tagTable).orderBy(tagTable.name);
}

export function attributeDefinitionsOf(db: Database, tenantId: string, entity?: CrmEntity) {
  return withTenant(db, tenantId, (tx) => listAttributeDefinitions(tx, entity));
}

export function saveAttributeDefinition(db: Database, tenantId: string, input: AttributeDefinitionInput) {
  return withTenant(db, tenantId, (tx) => defineAttribute(tx, tenantId, input));
}

export function tagsOf(db: Database, tenantId: string) {
  return withTenant(db, tenantId, listTags);
}
