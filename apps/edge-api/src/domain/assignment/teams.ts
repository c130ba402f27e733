import {
  type AgentPresence,
  agentPresence,
  assignmentRules,
  type Database,
  memberships,
  type OutOfOffice,
  type Tx,
  teamMembers,
  teams,
  type WorkingHours,
  withTenant,
} from "@autopilot/db";
import { and, asc, eq } from "drizzle-orm";
import { audit } from "../audit.js";
import type { SalesActor } from "../crm/actor.js";
import { AppError, notFound } from "../errors.js";
import { writePresence } from "../presence.js";

export type MemberInput = {
  skills?: string[];
  languages?: string[];
  territories?: string[];
  capacity?: number | null;
  weight?: number;
  timeZone?: string;
  workingHours?: WorkingHours;
  outOfOffice?: OutOfOffice;
  /** Written to agent_presence, the one source of presence (domain/presence.ts). */
  presence?: AgentPresence;
};

const memberView = (m: typeof teamMembers.$inferSelect, presence: AgentPresence | null) => ({
  userId: m.userId,
  skills: m.skills,
  languages: m.languages,
  territories: m.territories,
  capacity: m.capacity,
  weight: m.weight,
  timeZone: m.timeZone,
  workingHours: m.workingHours,
  outOfOffice: m.outOfOffice,
  presence: presence ?? "online",
  lastAssignedAt: m.lastAssignedAt?.toISOString() ?? null,
});

async function teamView(tx: Tx, team: typeof teams.$inferSelect) {
  const members = await tx
    .select({ member: teamMembers, presence: agentPresence.status })
    .from(teamMembers)
    .leftJoin(
      agentPresence,
      and(eq(agentPresence.tenantId, teamMembers.tenantId), eq(agentPresence.userId, teamMembers.userId)),
    )
    .where(eq(teamMembers.teamId, team.id))
    .orderBy(asc(teamMembers.createdAt));
  return {
    id: team.id,
    name: team.name,
    createdAt: team.createdAt.toISOString(),
    members: members.map((r) => memberView(r.member, r.presence)),
  };
}

async function getTeamRow(tx: Tx, id: string) {
  const [team] = await tx.select().from(teams).where(eq(teams.id, id));
  if (!team) throw notFound("team");
  return team;
}

export async function createTeam(db: Database, actor: SalesActor, name: string) {
  return withTenant(db, actor.tenantId, async (tx) => {
    const [team] = await tx.insert(teams).values({ tenantId: actor.tenantId, name }).returning();
    if (!team) throw new Error("team insert returned nothing");
    await audit(tx, actor, "team.created", { type: "team", id: team.id });
    return teamView(tx, team);
  });
}

export async function listTeams(db: Database, tenantId: string) {
  return withTenant(db, tenantId, async (tx) => {
    const rows = await tx.select().from(teams).orderBy(asc(teams.createdAt)).limit(500);
    return Promise.all(rows.map((t) => teamView(tx, t)));
  });
}

export async function getTeam(db: Database, tenantId: string, id: string) {
  return withTenant(db, tenantId, async (tx) => teamView(tx, await getTeamRow(tx, id)));
}

export async function deleteTeam(db: Database, actor: SalesActor, id: string) {
  await withTenant(db, actor.tenantId, async (tx) => {
    await getTeamRow(tx, id);
    await tx.delete(teams).where(eq(teams.id, id));
    await audit(tx, actor, "team.deleted", { type: "team", id });
  });
}

function checkTimeZone(tz: string | undefined) {
  if (!tz) return;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: tz });
  } catch {
    throw new AppError("invalid_request", "timeZone: not an IANA time zone");
  }
}

/** Adds a workspace member to a team, or updates their routing settings there. */
export async function putTeamMember(
  db: Database,
  actor: SalesActor,
  teamId: string,
  userId: string,
  input: MemberInput,
) {
  checkTimeZone(input.timeZone);
  const { presence, ...settings } = input;
  return withTenant(db, actor.tenantId, async (tx) => {
    await getTeamRow(tx, teamId);
    const [member] = await tx.select().from(memberships).where(eq(memberships.userId, userId));
    if (!member) throw new AppError("not_found", "userId: not a member of this workspace");
    const values = { tenantId: actor.tenantId, teamId, userId, ...settings };
    const target = [teamMembers.tenantId, teamMembers.teamId, teamMembers.userId];
    const set = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
    const insert = tx.insert(teamMembers).values(values);
    // An empty body adds the member with defaults (or leaves an existing one as it is).
    const [upserted] = await (Object.keys(set).length > 0
      ? insert.onConflictDoUpdate({ target, set })
      : insert.onConflictDoNothing({ target })
    ).returning();
    const row =
      upserted ??
      (
        await tx
          .select()
          .from(teamMembers)
          .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)))
      )[0];
    if (!row) throw new Error("team member upsert returned nothing");
    if (presence) await writePresence(tx, actor.tenantId, userId, presence);
    const [current] = await tx
      .select({ status: agentPresence.status })
      .from(agentPresence)
      .where(eq(agentPresence.userId, userId));
    await audit(tx, actor, "team.member_set", { type: "team", id: teamId }, { userId });
    return memberView(row, current?.status ?? null);
  });
}

export async function removeTeamMember(db: Database, actor: SalesActor, teamId: string, userId: string) {
  await withTenant(db, actor.tenantId, async (tx) => {
    const gone = await tx
      .delete(teamMembers)
      .where(and(eq(teamMembers.teamId, teamId), eq(teamMembers.userId, userId)))
      .returning({ userId: teamMembers.userId });
    if (gone.length === 0) throw notFound("team member");
    await audit(tx, actor, "team.member_removed", { type: "team", id: teamId }, { userId });
  });
}

export type RuleInput = {
  name: string;
  enabled?: boolean;
  conditions?: Record<string, unknown>;
  strategy: "round_robin" | "weighted" | "least_loaded" | "specific";
  teamId?: string | null;
  ownerId?: string | null;
};

const ruleView = (r: typeof assignmentRules.$inferSelect) => ({
  id: r.id,
  name: r.name,
  position: r.position,
  enabled: r.enabled,
  conditions: r.conditions,
  strategy: r.strategy,
  teamId: r.teamId,
  ownerId: r.ownerId,
});

export const listRules = (db: Database, tenantId: string) =>
  withTenant(db, tenantId, async (tx) =>
    (await tx.select().from(assignmentRules).orderBy(asc(assignmentRules.position))).map(ruleView),
  );

/** Replaces the ordered rule list (all or nothing); a team or owner of another tenant is a 404. */
export async function replaceRules(db: Database, actor: SalesActor, rules: RuleInput[]) {
  rules.forEach((r, i) => {
    if (r.strategy === "specific" && !r.ownerId)
      throw new AppError("invalid_request", `rules.${i}.ownerId: required for the specific strategy`);
    if (r.strategy !== "specific" && !r.teamId)
      throw new AppError("invalid_request", `rules.${i}.teamId: required for ${r.strategy}`);
  });
  return withTenant(db, actor.tenantId, async (tx) => {
    await tx.delete(assignmentRules);
    for (const [position, r] of rules.entries()) {
      if (r.teamId) await getTeamRow(tx, r.teamId);
      if (r.ownerId) {
        const [m] = await tx.select().from(memberships).where(eq(memberships.userId, r.ownerId));
        if (!m) throw new AppError("not_found", `rules.${position}.ownerId: not a member of this workspace`);
      }
      await tx.insert(assignmentRules).values({
        tenantId: actor.tenantId,
        position,
        name: r.name,
        enabled: r.enabled ?? true,
        conditions: r.conditions ?? {},
        strategy: r.strategy,
        teamId: r.teamId ?? null,
        ownerId: r.ownerId ?? null,
      });
    }
    await audit(
      tx,
      actor,
      "assignment_rules.replaced",
      { type: "assignment_rules", id: actor.tenantId },
      { count: rules.length },
    );
    return (await tx.select().from(assignmentRules).orderBy(asc(assignmentRules.position))).map(ruleView);
  });
}
