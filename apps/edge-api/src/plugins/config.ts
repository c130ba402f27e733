import { AppError } from "../domain/errors.js";
import { open, seal } from "../lib/secret-box.js";
import { fieldPath, schemaProblem } from "./json-schema.js";

// An install's settings, checked against the JSON Schema its manifest declares. Fields the schema
// marks `secret: true` are sealed apart (AES-GCM under the master key) and never come back out of
// the API: it says only which of them are set.

type Schema = { properties?: Record<string, { secret?: boolean }>; [key: string]: unknown };

export function secretFields(schema: Record<string, unknown>): string[] {
  const properties = (schema as Schema).properties ?? {};
  return Object.entries(properties)
    .filter(([, p]) => p && typeof p === "object" && p.secret === true)
    .map(([name]) => name);
}

/** 400 naming the first wrong field (config.<field>: …) when `config` does not fit the schema. */
export function checkConfig(schema: Record<string, unknown>, config: Record<string, unknown>): void {
  const problem = schemaProblem(schema, config);
  if (problem) throw new AppError("invalid_request", `${fieldPath("config", problem)}: ${problem.message}`);
}

export type StoredConfig = {
  config: Record<string, unknown>;
  secretsCiphertext: string | null;
  secretsSet: string[];
};

/**
 * The settings to store: checked whole (with `kept`, the secrets already stored, filling the secret
 * fields a change leaves out), then split into plain settings and the sealed secrets.
 */
export async function storeConfig(
  schema: Record<string, unknown>,
  given: Record<string, unknown>,
  kept: Record<string, unknown>,
  masterKey: string,
  context: string,
): Promise<StoredConfig> {
  const secrets = secretFields(schema);
  const whole: Record<string, unknown> = { ...given };
  for (const name of secrets)
    if (whole[name] === undefined && kept[name] !== undefined) whole[name] = kept[name];
  checkConfig(schema, whole);
  const plain = Object.fromEntries(Object.entries(whole).filter(([k]) => !secrets.includes(k)));
  const sealedPart = Object.fromEntries(Object.entries(whole).filter(([k]) => secrets.includes(k)));
  const set = Object.keys(sealedPart);
  return {
    config: plain,
    secretsCiphertext: set.length ? await seal(masterKey, JSON.stringify(sealedPart), context) : null,
    secretsSet: set,
  };
}

export async function openSecrets(
  ciphertext: string | null,
  masterKey: string,
  context: string,
): Promise<Record<string, unknown>> {
  if (!ciphertext) return {};
  return JSON.parse(await open(masterKey, ciphertext, context)) as Record<string, unknown>;
}
