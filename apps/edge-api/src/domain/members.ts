import { type Database, invites, memberships, type Role, type Tx, users, withTenant } from "@autopilot/db";
import { and, asc, eq, isNull, sql } from "drizzle-orm";
import { recordEvent } from "../events/outbox.js";
import { randomToken, sha256Hex } from "../lib/crypto.js";
import type { Mailer } from "../mail/mailer.js";
import { actorOf, audit } from "./audit.js";
import { AppError, notFound } from "./errors.js";
import { type Principal, roleAtLeast } from "./principal.js";
import { INVITE_TTL_MS } from "./tokens.js";

export type Member = {
  userId: string;
  email: string;
  name: string;
  role: Role;
  emailVerified: boolean;
  joinedAt: string;
};

export type Invite = { id: string; email: string; role: Role; expiresAt: string };

/** Members and pending invites, in one transaction. */
export async function listMembersAndInvites(
  db: Database,
  tenantId: string,
): Promise<{ members: Member[]; invites: Invite[] }> {
  return withTenant(db, tenantId, async (tx) => ({
    members: await selectMembers(tx),
    invites: await selectInvites(tx),
  }));
}

async function selectMembers(tx: Tx): Promise<Member[]> {
  {
    const rows = await tx
      .select({
        userId: memberships.userId,
        email: users.email,
        name: users.name,
        role: memberships.role,
        emailVerified: users.emailVerified,
        joinedAt: memberships.createdAt,
      })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .orderBy(asc(memberships.createdAt));
    return rows.map((r) => ({ ...r, joinedAt: r.joinedAt.toISOString() }));
  }
}

// Only owners may hand out or take away ownership.
function assertMayGrant(actor: Principal, role: Role): void {
  if (role === "owner" && actor.role !== "owner")
    throw new AppError("forbidden", "role: only an owner can grant owner");
  if (!roleAtLeast(actor.role, role))
    throw new AppError("forbidden", "role: cannot grant a role above your own");
}

export async function inviteMember(
  db: Database,
  mailer: Mailer,
  appUrl: string,
  actor: Principal,
  input: { email: string; role: Role },
) {
  assertMayGrant(actor, input.role);
  const email = input.email.trim().toLowerCase();
  const token = randomToken();
  const tenantId = actor.tenantId;
  return withTenant(db, tenantId, async (tx) => {
    const [already] = await tx
      .select({ userId: memberships.userId })
      .from(memberships)
      .innerJoin(users, eq(users.id, memberships.userId))
      .where(sql`lower(${users.email}) = ${email}`);
    if (already) throw new AppError("already_member", "email: already a member of this workspace");
    const expiresAt = new Date(Date.now() + INVITE_TTL_MS);
    const [invite] = await tx
      .insert(invites)
      .values({
        tenantId,
        email,
        role: input.role,
        tokenHash: await sha256Hex(token),
        invitedBy: actor.user?.id ?? null,
        expiresAt,
      })
      .returning({ id: invites.id });
    if (!invite) throw new Error("invite insert returned nothing");
    await mailer.send(tx, {
      tenantId,
      to: email,
      kind: "invite",
      subject: `You are invited to ${actor.tenantName} on AutopilotCRM`,
      text: `You have been invited to join ${actor.tenantName} as ${input.role}.\n\nAccept: ${appUrl}/accept-invite?token=${token}\n\nThe invitation expires in 7 days.`,
    });
    await recordEvent(tx, {
      type: "user.invited",
      tenantId,
      actor: actorOf(actor),
      subjects: { invite: invite.id },
      properties: { email, role: input.role },
    });
    await audit(tx, actor, "member.invited", { type: "invite", id: invite.id }, { email, role: input.role });
    return { id: invite.id, email, role: input.role, expiresAt: expiresAt.toISOString() };
  });
}

async function selectInvites(tx: Tx): Promise<Invite[]> {
  {
    const rows = await tx
      .select({ id: invites.id, email: invites.email, role: invites.role, expiresAt: invites.expiresAt })
      .from(invites)
      .where(isNull(invites.acceptedAt))
      .orderBy(asc(invites.createdAt));
    return rows.map((r) => ({ ...r, expiresAt: r.expiresAt.toISOString() }));
  }
}

async function loadMember(tx: Tx, userId: string) {
  const [row] = await tx.select().from(memberships).where(eq(memberships.userId, userId));
  if (!row) throw notFound("member");
  return row;
}

async function assertNotLastOwner(tx: Tx, userId: string): Promise<void> {
  // Locks the owners so two concurrent demotions cannot leave the workspace without one.
  const owners = await tx
    .select({ userId: memberships.userId })
    .from(memberships)
    .where(eq(memberships.role, "owner"))
    .for("update");
  if (owners.length === 1 && owners[0]?.userId === userId) {
    throw new AppError("last_owner", "a workspace must keep at least one owner");
  }
}

export async function changeRole(db: Database, actor: Principal, userId: string, role: Role) {
  return withTenant(db, actor.tenantId, async (tx) => {
    const member = await loadMember(tx, userId);
    assertMayGrant(actor, role);
    if (member.role === "owner" && actor.role !== "owner")
      throw new AppError("forbidden", "only an owner can change an owner");
    if (member.role === "owner" && role !== "owner") await assertNotLastOwner(tx, userId);
    await tx
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.userId, userId)));
    await audit(
      tx,
      actor,
      "member.role_changed",
      { type: "user", id: userId },
      { from: member.role, to: role },
    );
    return { userId, role };
  });
}

export async function removeMember(db: Database, actor: Principal, userId: string): Promise<void> {
  await withTenant(db, actor.tenantId, async (tx) => {
    const member = await loadMember(tx, userId);
    if (member.role === "owner" && actor.role !== "owner")
      throw new AppError("forbidden", "only an owner can remove an owner");
    if (member.role === "owner") await assertNotLastOwner(tx, userId);
    await tx.delete(memberships).where(eq(memberships.userId, userId));
    await audit(tx, actor, "member.removed", { type: "user", id: userId }, { role: member.role });
  });
}
