import {
  type Database,
  invites,
  isUniqueViolation,
  lookups,
  memberships,
  type Role,
  sessions,
  type Tx,
  tenants,
  users,
  userTokens,
  withTenant,
} from "@autopilot/db";
import { and, eq, isNull } from "drizzle-orm";
import { recordEvent } from "../events/outbox.js";
import { hashPassword, sha256Hex, verifyPassword } from "../lib/crypto.js";
import type { Mailer } from "../mail/mailer.js";
import { normalizeEmail } from "./crm/normalize.js";
import { DEFAULT_PIPELINE, insertPipeline } from "./deals/pipelines.js";
import { AppError } from "./errors.js";
import { insertSession, insertUserToken, type NewSession } from "./tokens.js";

/** Accounts are found by their email as contacts are: trimmed and lower-cased. */
const accountEmail = (email: string) => normalizeEmail(email) ?? "";

export type SignedIn = NewSession & { tenantId: string; userId: string; role: Role };

export async function signup(
  db: Database,
  mailer: Mailer,
  appUrl: string,
  input: {
    email: string;
    password: string;
    name: string;
    companyName: string;
    timeZone?: string;
    locale?: string;
  },
): Promise<SignedIn> {
  const email = accountEmail(input.email);
  const tenantId = crypto.randomUUID();
  const userId = crypto.randomUUID();
  const password = await hashPassword(input.password);
  try {
    return await withTenant(db, tenantId, async (tx) => {
      await tx.insert(tenants).values({
        id: tenantId,
        name: input.companyName,
        timeZone: input.timeZone ?? "UTC",
        locale: input.locale ?? "en",
      });
      // No RETURNING: the user is not visible to this tenant until the membership exists.
      await tx.insert(users).values({
        id: userId,
        email,
        name: input.name,
        passwordHash: password.hash,
        passwordSalt: password.salt,
      });
      await tx.insert(memberships).values({ tenantId, userId, role: "owner" });
      await insertPipeline(tx, tenantId, DEFAULT_PIPELINE);
      const token = await insertUserToken(tx, tenantId, userId, "verify_email");
      await mailer.send(tx, {
        tenantId,
        to: email,
        kind: "verify_email",
        subject: "Verify your email for AutopilotCRM",
        text: `Welcome to AutopilotCRM!\n\nConfirm your email address: ${appUrl}/verify-email?token=${token}\n\nThe link expires in 48 hours.`,
      });
      const actor = { type: "user" as const, id: userId };
      await recordEvent(tx, {
        type: "tenant.created",
        tenantId,
        actor,
        subjects: { tenant: tenantId },
        properties: { name: input.companyName },
      });
      await recordEvent(tx, {
        type: "user.joined",
        tenantId,
        actor,
        subjects: { user: userId },
        properties: { role: "owner", via: "signup" },
      });
      const session = await insertSession(tx, tenantId, userId);
      return { ...session, tenantId, userId, role: "owner" as const };
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw new AppError("email_taken", "email: an account with this email exists");
    throw error;
  }
}

/** Checks the password; with several memberships, `tenantId` picks one (default: the oldest). */
export async function login(
  db: Database,
  input: { email: string; password: string; tenantId?: string },
): Promise<SignedIn> {
  const rows = await lookups.login(db, accountEmail(input.email));
  const first = rows[0];
  // Same work whether or not the account exists, so timing does not reveal which emails are registered.
  const ok = await verifyPassword(input.password, first?.password_salt ?? "x", first?.password_hash ?? "x");
  if (!first || !ok) throw new AppError("invalid_credentials", "wrong email or password");
  const membership = rows.find((r) => r.tenant_id && (!input.tenantId || r.tenant_id === input.tenantId));
  if (!membership?.tenant_id || !membership.role)
    throw new AppError("no_membership", "not a member of that workspace");
  const tenantId = membership.tenant_id;
  const role = membership.role;
  const session = await withTenant(db, tenantId, (tx) => insertSession(tx, tenantId, first.user_id));
  return { ...session, tenantId, userId: first.user_id, role };
}

export async function logout(db: Database, tenantId: string, sessionId: string): Promise<void> {
  await withTenant(db, tenantId, (tx) => tx.delete(sessions).where(eq(sessions.id, sessionId)));
}

/** Consumes a single-use token of `purpose`, or fails with 400 naming the token. */
async function consumeToken(db: Database, token: string, purpose: "verify_email" | "reset_password") {
  const row = await lookups.userToken(db, await sha256Hex(token));
  if (!row || row.purpose !== purpose) throw new AppError("invalid_token", "token: unknown token");
  if (row.used_at) throw new AppError("token_used", "token: already used");
  if (new Date(row.expires_at).getTime() < Date.now()) throw new AppError("token_expired", "token: expired");
  return row;
}

/** Uses a token once: a second use (two clicks racing) finds it used. */
async function markTokenUsed(tx: Tx, tokenId: string): Promise<void> {
  const used = await tx
    .update(userTokens)
    .set({ usedAt: new Date() })
    .where(and(eq(userTokens.id, tokenId), isNull(userTokens.usedAt)))
    .returning({ id: userTokens.id });
  if (used.length === 0) throw new AppError("token_used", "token: already used");
}

export async function verifyEmail(db: Database, token: string): Promise<void> {
  const row = await consumeToken(db, token, "verify_email");
  await withTenant(db, row.tenant_id, async (tx) => {
    await markTokenUsed(tx, row.token_id);
    await tx.update(users).set({ emailVerified: true }).where(eq(users.id, row.user_id));
  });
}

/** Always succeeds from the caller's view, so it cannot be used to find registered emails. */
export async function requestPasswordReset(
  db: Database,
  mailer: Mailer,
  appUrl: string,
  email: string,
): Promise<void> {
  const rows = await lookups.login(db, accountEmail(email));
  const member = rows.find((r) => r.tenant_id);
  if (!member?.tenant_id) return;
  const tenantId = member.tenant_id;
  await withTenant(db, tenantId, async (tx) => {
    const token = await insertUserToken(tx, tenantId, member.user_id, "reset_password");
    await mailer.send(tx, {
      tenantId,
      to: accountEmail(email),
      kind: "reset_password",
      subject: "Reset your AutopilotCRM password",
      text: `Someone asked to reset your password. If it was you, choose a new one: ${appUrl}/reset-password?token=${token}\n\nThe link expires in 1 hour. If it was not you, ignore this message.`,
    });
  });
}

/**
 * Ends every session of a user in every workspace they belong to (one transaction per workspace:
 * sessions are tenant rows under RLS). Run before a password changes, so a failure part-way leaves the
 * old password with fewer sessions, never the new password with old sessions.
 */
async function endSessionsEverywhere(db: Database, tenantId: string, userId: string): Promise<void> {
  const [user] = await withTenant(db, tenantId, (tx) =>
    tx.select({ email: users.email }).from(users).where(eq(users.id, userId)),
  );
  const tenants = new Set([tenantId]);
  if (user) for (const r of await lookups.login(db, user.email)) if (r.tenant_id) tenants.add(r.tenant_id);
  for (const t of tenants)
    await withTenant(db, t, (tx) => tx.delete(sessions).where(eq(sessions.userId, userId)));
}

export async function confirmPasswordReset(db: Database, token: string, password: string): Promise<void> {
  const row = await consumeToken(db, token, "reset_password");
  const next = await hashPassword(password);
  await endSessionsEverywhere(db, row.tenant_id, row.user_id);
  await withTenant(db, row.tenant_id, async (tx) => {
    await markTokenUsed(tx, row.token_id);
    await tx
      .update(users)
      .set({ passwordHash: next.hash, passwordSalt: next.salt })
      .where(eq(users.id, row.user_id));
    // And any session made between the sweep above and this commit.
    await tx.delete(sessions).where(eq(sessions.userId, row.user_id));
  });
}

/**
 * Accepts an invite. A new person sets a password; someone who already has an account proves it with
 * theirs. Either way the email is verified: the token arrived in that mailbox.
 */
export async function acceptInvite(
  db: Database,
  input: { token: string; password: string; name?: string },
): Promise<SignedIn> {
  const invite = await lookups.invite(db, await sha256Hex(input.token));
  if (!invite) throw new AppError("invalid_token", "token: unknown invite");
  if (invite.accepted_at) throw new AppError("token_used", "token: invite already accepted");
  if (new Date(invite.expires_at).getTime() < Date.now())
    throw new AppError("token_expired", "token: invite expired");

  const existing = (await lookups.login(db, invite.email))[0];
  let userId = existing?.user_id ?? crypto.randomUUID();
  let password: { hash: string; salt: string } | null = null;
  if (existing) {
    const ok = await verifyPassword(input.password, existing.password_salt, existing.password_hash);
    if (!ok) throw new AppError("invalid_credentials", "password: wrong password for the existing account");
    userId = existing.user_id;
  } else {
    password = await hashPassword(input.password);
  }
  const tenantId = invite.tenant_id;
  return withTenant(db, tenantId, async (tx) => {
    // (A concurrent signup with the invited email surfaces as a unique violation: 409 below.)
    const claimed = await tx
      .update(invites)
      .set({ acceptedAt: new Date() })
      .where(and(eq(invites.id, invite.invite_id), isNull(invites.acceptedAt)))
      .returning({ id: invites.id });
    if (claimed.length === 0) throw new AppError("token_used", "token: invite already accepted");
    if (password) {
      await tx.insert(users).values({
        id: userId,
        email: invite.email,
        name: input.name ?? "",
        passwordHash: password.hash,
        passwordSalt: password.salt,
        emailVerified: true,
      });
    }
    await tx.insert(memberships).values({ tenantId, userId, role: invite.role }).onConflictDoNothing();
    if (!password) await tx.update(users).set({ emailVerified: true }).where(eq(users.id, userId));
    await recordEvent(tx, {
      type: "user.joined",
      tenantId,
      actor: { type: "user", id: userId },
      subjects: { user: userId, invite: invite.invite_id },
      properties: { role: invite.role, via: "invite" },
    });
    const session = await insertSession(tx, tenantId, userId);
    return { ...session, tenantId, userId, role: invite.role };
  }).catch((error) => {
    if (isUniqueViolation(error))
      throw new AppError("email_taken", "email: an account with this email exists");
    throw error;
  });
}
