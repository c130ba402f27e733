import { type Database, developerProfiles, developerTokens, withPlatform } from "@autopilot/db";
import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { AppError } from "../domain/errors.js";
import { randomToken, sha256Hex, timingSafeEqual } from "../lib/crypto.js";

// Developers: a profile on any user (who publishes plugins, and how their users reach them), and the
// tokens their CLI publishes with. A token can publish and read review status; nothing else, and it
// is never a way into a workspace.

/** Who is acting in the developer portal or the CLI. */
export type Developer = { userId: string; email: string; via: "session" | "token" };

export type ProfileInput = { name: string; website?: string | null; supportEmail: string };
type ProfileRow = typeof developerProfiles.$inferSelect;

export const profileView = (p: ProfileRow) => ({
  userId: p.userId,
  name: p.name,
  website: p.website,
  supportEmail: p.supportEmail,
  verified: p.verified,
  createdAt: p.createdAt.toISOString(),
});
export type ProfileView = ReturnType<typeof profileView>;

export async function getProfile(db: Database, userId: string): Promise<ProfileView | null> {
  const [row] = await withPlatform(db, (tx) =>
    tx.select().from(developerProfiles).where(eq(developerProfiles.userId, userId)),
  );
  return row ? profileView(row) : null;
}

export async function requireProfile(db: Database, userId: string): Promise<ProfileView> {
  const profile = await getProfile(db, userId);
  if (!profile) throw new AppError("forbidden", "create your developer profile first (Developer → Profile)");
  return profile;
}

/** Creates or changes the profile; the verified flag is platform staff's (setVerified), never the user's. */
export async function saveProfile(db: Database, userId: string, input: ProfileInput): Promise<ProfileView> {
  const values = { name: input.name, website: input.website ?? null, supportEmail: input.supportEmail };
  const [row] = await withPlatform(db, (tx) =>
    tx
      .insert(developerProfiles)
      .values({ userId, ...values })
      .onConflictDoUpdate({ target: developerProfiles.userId, set: { ...values, updatedAt: sql`now()` } })
      .returning(),
  );
  if (!row) throw new Error("profile upsert returned nothing");
  return profileView(row);
}

export async function setVerified(db: Database, userId: string, verified: boolean): Promise<ProfileView> {
  const [row] = await withPlatform(db, (tx) =>
    tx
      .update(developerProfiles)
      .set({ verified, updatedAt: sql`now()` })
      .where(eq(developerProfiles.userId, userId))
      .returning(),
  );
  if (!row) throw new AppError("not_found", "developer not found");
  return profileView(row);
}

export async function listDevelopers(db: Database): Promise<ProfileView[]> {
  const rows = await withPlatform(db, (tx) =>
    tx.select().from(developerProfiles).orderBy(developerProfiles.createdAt),
  );
  return rows.map(profileView);
}

// Tokens: apd_<prefix>_<secret>; the prefix finds the row, the secret's hash proves it.

const TOKEN = /^apd_([a-z0-9]{12})_([A-Za-z0-9_-]{20,100})$/;
export const isDeveloperToken = (token: string) => token.startsWith("apd_");

type TokenRow = typeof developerTokens.$inferSelect;
const tokenView = (t: TokenRow) => ({
  id: t.id,
  name: t.name,
  prefix: t.prefix,
  createdAt: t.createdAt.toISOString(),
  lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
  revokedAt: t.revokedAt?.toISOString() ?? null,
});
export type TokenView = ReturnType<typeof tokenView>;

function newPrefix(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return [...crypto.getRandomValues(new Uint8Array(12))].map((b) => alphabet[b % alphabet.length]).join("");
}

export async function createToken(
  db: Database,
  userId: string,
  name: string,
): Promise<TokenView & { token: string }> {
  await requireProfile(db, userId);
  const prefix = newPrefix();
  const secret = randomToken(32);
  const [row] = await withPlatform(db, async (tx) =>
    tx
      .insert(developerTokens)
      .values({ userId, name, prefix, secretHash: await sha256Hex(secret) })
      .returning(),
  );
  if (!row) throw new Error("token insert returned nothing");
  return { ...tokenView(row), token: `apd_${prefix}_${secret}` };
}

export async function listTokens(db: Database, userId: string): Promise<TokenView[]> {
  const rows = await withPlatform(db, (tx) =>
    tx
      .select()
      .from(developerTokens)
      .where(eq(developerTokens.userId, userId))
      .orderBy(desc(developerTokens.createdAt)),
  );
  return rows.map(tokenView);
}

export async function revokeToken(db: Database, userId: string, id: string): Promise<TokenView> {
  const [row] = await withPlatform(db, (tx) =>
    tx
      .update(developerTokens)
      .set({ revokedAt: sql`coalesce(revoked_at, now())` })
      .where(and(eq(developerTokens.id, id), eq(developerTokens.userId, userId)))
      .returning(),
  );
  if (!row) throw new AppError("not_found", "token not found");
  return tokenView(row);
}

/** The user a CLI token acts for, or an unauthorized error saying why not. */
export async function verifyToken(db: Database, token: string): Promise<{ userId: string }> {
  const m = TOKEN.exec(token);
  if (!m?.[1] || !m[2]) throw new AppError("unauthorized", "malformed developer token");
  const [prefix, secret] = [m[1], m[2]];
  const hash = await sha256Hex(secret);
  return withPlatform(db, async (tx) => {
    const [row] = await tx
      .select()
      .from(developerTokens)
      .where(and(eq(developerTokens.prefix, prefix), isNull(developerTokens.revokedAt)));
    if (!row || !timingSafeEqual(row.secretHash, hash))
      throw new AppError("unauthorized", "invalid or revoked developer token");
    await tx.update(developerTokens).set({ lastUsedAt: sql`now()` }).where(eq(developerTokens.id, row.id));
    return { userId: row.userId };
  });
}
