import type { EngineEvent } from "@autopilot/engine";
import { type AppEvent, EVENT_VERSIONS, type EventOf, type EventType, eventSchema } from "@autopilot/sdk";

// The DO's events: the engine's facts mapped onto the public v1 catalogue (packages/sdk), stamped
// with an id and time here so a retried send is deduplicated by consumers.

export type Actor = AppEvent["actor"];
type Body<T extends EventType> = { type: T; actor: Actor; properties: EventOf<T>["properties"] };

export function conversationEvent<T extends EventType>(
  tenantId: string,
  conversationId: string,
  body: Body<T>,
): AppEvent {
  return eventSchema.parse({
    ...body,
    id: crypto.randomUUID(),
    tenantId,
    time: new Date().toISOString(),
    version: EVENT_VERSIONS[body.type],
    subjects: { conversation: conversationId },
  });
}

const HANDOFF_REASONS = {
  customer_request: "explicit",
  ai_proposal: "explicit",
  // The customer said yes to "shall I connect you?" after a question the knowledge base could not answer.
  knowledge_gap: "explicit",
  frustration: "frustration",
  no_progress: "no_progress",
  low_confidence: "low_confidence",
  max_attempts: "max_attempts",
  route_step: "route_step",
} as const;

type HandoffReason = EventOf<"handoff.requested">["properties"]["reason"];

function handoffReason(reason: string): HandoffReason {
  if (reason in HANDOFF_REASONS) return HANDOFF_REASONS[reason as keyof typeof HANDOFF_REASONS];
  return reason.startsWith("route") || reason.startsWith("step") ? "route_step" : "business_rule";
}

type AbandonReason = EventOf<"route.abandoned">["properties"]["reason"];

function abandonReason(reason: string): AbandonReason {
  if (reason.includes("handoff")) return "handoff";
  if (reason.includes("max_attempts")) return "max_attempts";
  if (reason.includes("inactiv")) return "inactive";
  return "switched";
}

/** Engine events that have a catalogue counterpart, as bodies; the rest are internal to the turn. */
export function mapEngineEvent(
  e: EngineEvent,
  c: { routesVersion: number; text: string; actor: Actor },
): Body<EventType> | null {
  const actor: Actor = { type: "system", id: null };
  switch (e.type) {
    case "route.selected":
      return {
        type: "route.selected",
        actor,
        properties: {
          routeId: e.routeId,
          confidence: Math.min(1, Math.max(0, e.confidence)),
          routesVersion: c.routesVersion,
        },
      };
    case "route.completed":
      return { type: "route.completed", actor, properties: { routeId: e.routeId } };
    case "route.abandoned":
      return {
        type: "route.abandoned",
        actor,
        properties: { routeId: e.routeId, stepId: e.stepId, reason: abandonReason(e.reason) },
      };
    case "form.field_collected":
      return {
        type: "form.field_collected",
        actor,
        properties: { routeId: e.routeId, field: e.field, attempts: 1 },
      };
    case "form.completed":
      return {
        type: "form.completed",
        actor,
        properties: { routeId: e.routeId, fields: Object.keys(e.fields) },
      };
    case "knowledge.answered":
      return {
        type: "knowledge.answered",
        actor,
        properties: { question: c.text.slice(0, 500), chunkIds: e.citations, mode: e.mode },
      };
    case "knowledge.unanswered":
      return { type: "knowledge.unanswered", actor, properties: { question: c.text.slice(0, 500) } };
    case "handoff.requested":
      return {
        type: "handoff.requested",
        actor,
        properties: {
          reason: handoffReason(e.reason),
          team: e.team ?? null,
          skill: e.skill ?? null,
          outOfHours: e.outOfHours,
        },
      };
    default:
      return null;
  }
}
