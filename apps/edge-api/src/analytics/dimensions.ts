import type { AppEvent } from "@autopilot/sdk";

/** One event as stored: the envelope plus the dimensions reports and rollups group by. */
export type EventRow = {
  id: string;
  type: string;
  version: number;
  occurred_at: string;
  actor_type: string;
  actor_id: string | null;
  conversation_id: string | null;
  lead_id: string | null;
  deal_id: string | null;
  channel: string | null;
  route_id: string | null;
  owner_id: string | null;
  detail: string | null;
  step: string | null;
  currency: string | null;
  value: number | null;
  subjects: Record<string, string>;
  properties: unknown;
};

type Dims = Partial<
  Pick<EventRow, "channel" | "route_id" | "owner_id" | "detail" | "step" | "currency" | "value">
>;

/** Unanswered questions are rolled up by their normalised text so "top unanswered" needs no raw scan. */
export function normalizeQuestion(question: string): string {
  return question
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim()
    .replace(/[?!.]+$/, "")
    .slice(0, 200);
}

/**
 * What each event type contributes to reports. The mapping is the single place that decides which
 * property lands in which column; reports read the columns (see packages/db/src/schema/analytics.ts).
 */
export function dimensionsOf(e: AppEvent): Dims {
  switch (e.type) {
    case "conversation.started":
      return { channel: e.properties.channel };
    case "conversation.closed":
      return {
        detail: e.properties.reason,
        owner_id: e.properties.agentId ?? null,
        value: e.properties.durationSeconds,
      };
    case "message.received":
      return { channel: e.properties.channel };
    case "message.sent":
      return {
        channel: e.properties.channel,
        detail: e.properties.sender,
        owner_id: e.properties.agentId,
        value: e.properties.responseSeconds,
      };
    case "route.selected":
      return { route_id: e.properties.routeId, value: e.properties.confidence };
    case "route.completed":
      return { route_id: e.properties.routeId };
    case "route.abandoned":
      return { route_id: e.properties.routeId, step: e.properties.stepId, detail: e.properties.reason };
    case "form.field_collected":
      return { route_id: e.properties.routeId, step: e.properties.field, value: e.properties.attempts };
    case "form.completed":
      return { route_id: e.properties.routeId };
    case "knowledge.answered":
      return { detail: e.properties.mode };
    case "knowledge.unanswered":
      return { detail: normalizeQuestion(e.properties.question) };
    case "handoff.requested":
      return { detail: e.properties.reason };
    case "handoff.accepted":
      return { owner_id: e.properties.agentId, value: e.properties.waitSeconds };
    case "csat.recorded":
      return {
        owner_id: e.properties.agentId,
        detail: String(e.properties.score),
        value: e.properties.score,
      };
    case "lead.created":
      return { detail: e.properties.source, route_id: e.properties.routeId };
    case "lead.scored":
      return { value: e.properties.score };
    case "lead.assigned":
      return { owner_id: e.properties.ownerId, detail: e.properties.strategy };
    case "lead.status_changed":
      return { detail: e.properties.to, step: e.properties.from };
    case "deal.created":
      return {
        owner_id: e.properties.ownerId,
        detail: e.properties.pipelineId,
        step: e.properties.stageId,
        currency: e.properties.currency,
        value: e.properties.amount,
      };
    case "deal.stage_changed":
      return { detail: e.properties.pipelineId, step: e.properties.toStageId };
    case "deal.won":
    case "deal.lost":
      return {
        owner_id: e.properties.ownerId,
        detail: e.properties.pipelineId,
        currency: e.properties.currency,
        value: e.properties.amount,
      };
    case "activity.logged":
      return { owner_id: e.properties.ownerId, detail: e.properties.kind };
    case "sla.breached":
      return { owner_id: e.properties.ownerId, detail: e.properties.kind };
    case "plugin.failed":
      return { detail: e.properties.pluginId };
    default:
      return {};
  }
}

/** The stored row of a validated event; subject ids come from the documented keys (SUBJECT_KEYS). */
export function toEventRow(e: AppEvent): EventRow {
  const d = dimensionsOf(e);
  return {
    id: e.id,
    type: e.type,
    version: e.version,
    occurred_at: e.time,
    actor_type: e.actor.type,
    actor_id: e.actor.id,
    conversation_id: e.subjects.conversation ?? null,
    lead_id: e.subjects.lead ?? null,
    deal_id: e.subjects.deal ?? null,
    channel: d.channel ?? null,
    route_id: d.route_id ?? null,
    owner_id: d.owner_id ?? null,
    detail: d.detail ?? null,
    step: d.step ?? null,
    currency: d.currency ?? null,
    value: d.value ?? null,
    subjects: e.subjects,
    properties: e.properties,
  };
}
