import { agentPresence, leads, type Tx, teamMembers } from "@autopilot/db";
import type { Candidate } from "@autopilot/engine";
import { and, eq, inArray, notInArray, sql } from "drizzle-orm";

const CLOSED = ["converted", "disqualified"] as const;

/** Open leads per owner, for capacity and least-loaded. */
async function openLeadCounts(tx: Tx, userIds: string[]): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await tx
    .select({ ownerId: leads.ownerId, n: sql<number>`count(*)::int` })
    .from(leads)
    .where(and(inArray(leads.ownerId, userIds), notInArray(leads.status, [...CLOSED])))
    .groupBy(leads.ownerId);
  return new Map(rows.map((r) => [r.ownerId ?? "", r.n]));
}

type Member = typeof teamMembers.$inferSelect & { presence: Candidate["presence"]; openLeads: number };

/**
 * Team members with their presence from agent_presence (the inbox's; no row = online) and their open
 * leads (capacity, least-loaded) counted in the same statement: one round trip inside the team lock.
 */
const membersWithPresence = (tx: Tx) =>
  tx
    .select({
      member: teamMembers,
      presence: agentPresence.status,
      openLeads: sql<number>`(select count(*)::int from ${leads} l where l.tenant_id = ${teamMembers.tenantId}
        and l.owner_id = ${teamMembers.userId} and l.status not in (${sql.join(
          CLOSED.map((c) => sql`${c}`),
          sql`, `,
        )}))`,
    })
    .from(teamMembers)
    .leftJoin(
      agentPresence,
      and(eq(agentPresence.tenantId, teamMembers.tenantId), eq(agentPresence.userId, teamMembers.userId)),
    );
const withPresence = (
  rows: {
    member: typeof teamMembers.$inferSelect;
    presence: Candidate["presence"] | null;
    openLeads: number;
  }[],
) => rows.map((r): Member => ({ ...r.member, presence: r.presence ?? "online", openLeads: r.openLeads }));

const toCandidate = (m: Member): Candidate => ({
  userId: m.userId,
  skills: m.skills,
  languages: m.languages,
  territories: m.territories,
  capacity: m.capacity,
  openLeads: m.openLeads,
  weight: m.weight,
  timeZone: m.timeZone,
  workingHours: m.workingHours,
  outOfOffice: m.outOfOffice,
  presence: m.presence,
  lastAssignedAt: m.lastAssignedAt,
});

/**
 * A team's members as assignment candidates. The team's row is locked first (FOR UPDATE), so two
 * assignments to one team never read the same round-robin state: the AssignmentCoordinator already
 * serialises them, and this keeps it true for callers that bypass it (cron, benchmarks).
 */
export async function loadTeamCandidates(tx: Tx, teamId: string): Promise<Candidate[]> {
  // Two statements on purpose: a read joined to the lock (FOR UPDATE OF teams) would, after waiting
  // for the lock, see the members as they were before the holder's commit (read committed re-checks
  // only the locked row), and round-robin went unfair (spread 66 in 10,000 in the sales benchmark).
  await tx.execute(sql`select id from teams where id = ${teamId} for update`);
  const members = withPresence(await membersWithPresence(tx).where(eq(teamMembers.teamId, teamId)));
  return members.map(toCandidate);
}

/**
 * A specific owner as a candidate: their availability from any team they belong to, or always
 * available when they are in none (a rule naming a person means that person).
 */
export async function loadOwnerCandidate(tx: Tx, userId: string): Promise<Candidate> {
  const [member] = withPresence(await membersWithPresence(tx).where(eq(teamMembers.userId, userId)).limit(1));
  if (member) return toCandidate(member);
  const counts = await openLeadCounts(tx, [userId]);
  return {
    userId,
    skills: [],
    languages: [],
    territories: [],
    capacity: null,
    openLeads: counts.get(userId) ?? 0,
    weight: 1,
    timeZone: "UTC",
    workingHours: [],
    outOfOffice: [],
    presence: "online",
    lastAssignedAt: null,
  };
}
