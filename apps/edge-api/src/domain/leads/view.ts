import type { leads } from "@autopilot/db";

export const leadView = (l: typeof leads.$inferSelect) => ({
  id: l.id,
  contactId: l.contactId,
  companyId: l.companyId,
  title: l.title,
  status: l.status,
  disqualifyReason: l.disqualifyReason,
  score: l.score,
  scoreBreakdown: l.scoreBreakdown,
  scoredAt: l.scoredAt?.toISOString() ?? null,
  signals: l.signals,
  attributes: l.attributes,
  source: l.source,
  territory: l.territory,
  language: l.language,
  product: l.product,
  routeId: l.routeId,
  conversationId: l.conversationId,
  ownerId: l.ownerId,
  teamId: l.teamId,
  assignedAt: l.assignedAt?.toISOString() ?? null,
  firstTouchedAt: l.firstTouchedAt?.toISOString() ?? null,
  slaDueAt: l.slaDueAt?.toISOString() ?? null,
  createdAt: l.createdAt.toISOString(),
  updatedAt: l.updatedAt.toISOString(),
});
export type LeadView = ReturnType<typeof leadView>;
