import { apiKeys, type Database, type Role, withTenant } from "@autopilot/db";
import { and, desc, eq, isNull } from "drizzle-orm";
import { recordEvent } from "../events/outbox.js";
import { randomToken, sha256Hex } from "../lib/crypto.js";
import { actorOf, audit } from "./audit.js";
import { AppError, notFound } from "./errors.js";
import { type Principal, roleAtLeast } from "./principal.js";

const PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

function newPrefix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return [...bytes].map((b) => PREFIX_ALPHABET[b % PREFIX_ALPHABET.length]).join("");
}

const view = (k: typeof apiKeys.$inferSelect) => ({
  id: k.id,
  name: k.name,
  prefix: k.prefix,
  role: k.role,
  scopes: k.scopes,
  createdAt: k.createdAt.toISOString(),
  lastUsedAt: k.lastUsedAt?.toISOString() ?? null,
  revokedAt: k.revokedAt?.toISOString() ?? null,
});
export type ApiKeyView = ReturnType<typeof view>;

export async function createApiKey(
  db: Database,
  actor: Principal,
  input: { name: string; role: Role; scopes: ("read" | "write")[] },
): Promise<ApiKeyView & { secret: string }> {
  if (!roleAtLeast(actor.role, input.role))
    throw new AppError("forbidden", "role: cannot exceed your own role");
  const prefix = newPrefix();
  const secret = randomToken(32);
  return withTenant(db, actor.tenantId, async (tx) => {
    const [key] = await tx
      .insert(apiKeys)
      .values({
        tenantId: actor.tenantId,
        name: input.name,
        prefix,
        secretHash: await sha256Hex(secret),
        role: input.role,
        scopes: input.scopes,
        createdBy: actor.user?.id ?? null,
      })
      .returning();
    if (!key) throw new Error("api key insert returned nothing");
    await recordEvent(tx, {
      type: "api_key.created",
      tenantId: actor.tenantId,
      actor: actorOf(actor),
      subjects: { apiKey: key.id },
      properties: { name: key.name, role: key.role },
    });
    await audit(
      tx,
      actor,
      "api_key.created",
      { type: "api_key", id: key.id },
      { name: key.name, role: key.role },
    );
    // The full key is shown once, here, and never stored.
    return { ...view(key), secret: `ak_${prefix}_${secret}` };
  });
}

export async function listApiKeys(db: Database, tenantId: string): Promise<ApiKeyView[]> {
  return withTenant(db, tenantId, async (tx) =>
    (await tx.select().from(apiKeys).orderBy(desc(apiKeys.createdAt))).map(view),
  );
}

export async function revokeApiKey(db: Database, actor: Principal, id: string): Promise<ApiKeyView> {
  return withTenant(db, actor.tenantId, async (tx) => {
    const [key] = await tx
      .update(apiKeys)
      .set({ revokedAt: new Date() })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning();
    if (!key) {
      const [exists] = await tx.select().from(apiKeys).where(eq(apiKeys.id, id));
      if (!exists) throw notFound("API key");
      return view(exists); // already revoked: revoking is idempotent
    }
    await recordEvent(tx, {
      type: "api_key.revoked",
      tenantId: actor.tenantId,
      actor: actorOf(actor),
      subjects: { apiKey: key.id },
      properties: { name: key.name },
    });
    await audit(tx, actor, "api_key.revoked", { type: "api_key", id: key.id });
    return view(key);
  });
}

/** Prefixes of the keys a member created (their rights follow the member's role; see auth_api_key). */
export async function keyPrefixesCreatedBy(
  db: Database,
  tenantId: string,
  userId: string,
): Promise<string[]> {
  const rows = await withTenant(db, tenantId, (tx) =>
    tx.select({ prefix: apiKeys.prefix }).from(apiKeys).where(eq(apiKeys.createdBy, userId)),
  );
  return rows.map((r) => r.prefix);
}
