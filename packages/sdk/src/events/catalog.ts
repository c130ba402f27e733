import { z } from "zod";
import { defineEvent } from "./envelope.js";

// The versioned event catalogue. Add new types (or new versions of a type) here; never change a
// published version's shape. `subjects` carries the ids of what the event is about, under the keys of
// SUBJECT_KEYS; analytics links events through them (the cohort funnel follows a conversation to its
// lead through `subjects.conversation` on lead events, and a lead to its deals through
// `subjects.lead` on deal events), so producers must set them as documented there.

/**
 * The subject keys, and which events must carry which (analytics relies on these):
 * - conversation: every conversation.*, message.*, route.*, form.*, knowledge.*, handoff.*, csat.*
 *   event, and lead.created when the lead came from a conversation.
 * - lead: every lead.* event, and deal.* events of a deal opened from a lead.
 * - deal: every deal.* event.
 * - contact, user, apiKey, invite, tenant, activity: where they apply.
 */
export const SUBJECT_KEYS = [
  "conversation",
  "lead",
  "deal",
  "contact",
  "user",
  "apiKey",
  "invite",
  "tenant",
  "activity",
] as const;

const role = z.enum(["owner", "admin", "agent", "viewer"]);
const channel = z.string().min(1).max(40); // "web", later plugin channels ("telegram", …)
const money = { amount: z.number().nonnegative(), currency: z.string().length(3) };
const id = z.string().min(1);

// Foundation
export const tenantCreated = defineEvent("tenant.created", 1, z.object({ name: z.string() }));
export const userInvited = defineEvent("user.invited", 1, z.object({ email: z.string(), role }));
export const userJoined = defineEvent(
  "user.joined",
  1,
  z.object({ role, via: z.enum(["signup", "invite"]) }),
);
export const apiKeyCreated = defineEvent("api_key.created", 1, z.object({ name: z.string(), role }));
export const apiKeyRevoked = defineEvent("api_key.revoked", 1, z.object({ name: z.string() }));

// Conversations
export const conversationStarted = defineEvent(
  "conversation.started",
  1,
  z.object({ channel, routesVersion: z.number().int().nonnegative().optional() }),
);
export const conversationClosed = defineEvent(
  "conversation.closed",
  1,
  z.object({
    reason: z.enum(["resolved", "inactive", "agent", "visitor"]),
    durationSeconds: z.number().nonnegative(),
    /** The agent who handled it after a handoff (resolution time per agent); absent if bot-only. */
    agentId: id.nullable().optional(),
  }),
);
export const messageReceived = defineEvent(
  "message.received",
  1,
  z.object({ channel, length: z.number().int().nonnegative() }),
);
export const messageSent = defineEvent(
  "message.sent",
  1,
  z.object({
    channel,
    sender: z.enum(["bot", "agent"]),
    agentId: id.nullable(),
    /** Seconds since the customer message it answers, when it is the first answer to it. */
    responseSeconds: z.number().nonnegative().nullable(),
  }),
);
export const routeSelected = defineEvent(
  "route.selected",
  1,
  z.object({
    routeId: id,
    confidence: z.number().min(0).max(1),
    routesVersion: z.number().int().nonnegative(),
  }),
);
export const routeCompleted = defineEvent("route.completed", 1, z.object({ routeId: id }));
export const routeAbandoned = defineEvent(
  "route.abandoned",
  1,
  z.object({
    routeId: id,
    stepId: id,
    reason: z.enum(["handoff", "inactive", "switched", "max_attempts", "closed"]),
  }),
);
export const formFieldCollected = defineEvent(
  "form.field_collected",
  1,
  z.object({ routeId: id, field: id, attempts: z.number().int().positive() }),
);
export const formCompleted = defineEvent("form.completed", 1, z.object({ routeId: id, fields: z.array(id) }));
export const knowledgeAnswered = defineEvent(
  "knowledge.answered",
  1,
  z.object({ question: z.string().max(500), chunkIds: z.array(id), mode: z.enum(["extractive", "model"]) }),
);
export const knowledgeUnanswered = defineEvent(
  "knowledge.unanswered",
  1,
  z.object({ question: z.string().max(500) }),
);
export const handoffRequested = defineEvent(
  "handoff.requested",
  1,
  z.object({
    reason: z.enum([
      "explicit",
      "frustration",
      "no_progress",
      "low_confidence",
      "business_rule",
      "route_step",
      "max_attempts",
    ]),
    team: z.string().nullable(),
    skill: z.string().nullable(),
    outOfHours: z.boolean(),
  }),
);
export const handoffAccepted = defineEvent(
  "handoff.accepted",
  1,
  z.object({ agentId: id, waitSeconds: z.number().nonnegative() }),
);
export const csatRecorded = defineEvent(
  "csat.recorded",
  1,
  z.object({
    score: z.number().int().min(1).max(5),
    agentId: id.nullable(),
    comment: z.string().max(1000).optional(),
  }),
);

// Leads and sales
const leadStatus = z.enum(["new", "qualifying", "mql", "sql", "converted", "disqualified"]);
export const leadCreated = defineEvent(
  "lead.created",
  1,
  // "webhook" (the inbound lead webhook) was added later: a new value, no field changed.
  z.object({ source: z.enum(["chat", "api", "import", "plugin", "webhook"]), routeId: id.nullable() }),
);
export const leadScored = defineEvent(
  "lead.scored",
  1,
  z.object({
    score: z.number(),
    previousScore: z.number().nullable(),
    breakdown: z.array(
      z.object({ kind: z.enum(["fit", "engagement", "signal"]), label: z.string(), points: z.number() }),
    ),
  }),
);
export const leadAssigned = defineEvent(
  "lead.assigned",
  1,
  z.object({
    ownerId: id.nullable(),
    teamId: id.nullable(),
    ruleId: id.nullable(),
    strategy: z.enum(["round_robin", "weighted", "least_loaded", "specific", "fallback_queue", "manual"]),
    reason: z.string().max(500),
  }),
);
export const leadStatusChanged = defineEvent(
  "lead.status_changed",
  1,
  z.object({ from: leadStatus, to: leadStatus, reason: z.string().max(500).nullable() }),
);
export const dealCreated = defineEvent(
  "deal.created",
  1,
  z.object({ pipelineId: id, stageId: id, ownerId: id.nullable(), ...money }),
);
export const dealStageChanged = defineEvent(
  "deal.stage_changed",
  1,
  z.object({ pipelineId: id, fromStageId: id, toStageId: id }),
);
export const dealWon = defineEvent(
  "deal.won",
  1,
  z.object({ pipelineId: id, ownerId: id.nullable(), ...money }),
);
export const dealLost = defineEvent(
  "deal.lost",
  1,
  z.object({ pipelineId: id, ownerId: id.nullable(), reason: z.string().max(500).nullable(), ...money }),
);
export const activityLogged = defineEvent(
  "activity.logged",
  1,
  z.object({ kind: z.enum(["call", "email", "meeting", "note", "task"]), ownerId: id.nullable() }),
);
export const slaBreached = defineEvent(
  "sla.breached",
  1,
  z.object({
    kind: z.enum(["first_touch", "first_response"]),
    ownerId: id.nullable(),
    dueAt: z.iso.datetime({ offset: true }),
  }),
);

// Plugins (second wave; the type exists so the host can report failures from day one)
export const pluginFailed = defineEvent(
  "plugin.failed",
  1,
  z.object({ pluginId: id, version: z.string(), error: z.string().max(1000) }),
);

export const eventSchemas = [
  tenantCreated,
  userInvited,
  userJoined,
  apiKeyCreated,
  apiKeyRevoked,
  conversationStarted,
  conversationClosed,
  messageReceived,
  messageSent,
  routeSelected,
  routeCompleted,
  routeAbandoned,
  formFieldCollected,
  formCompleted,
  knowledgeAnswered,
  knowledgeUnanswered,
  handoffRequested,
  handoffAccepted,
  csatRecorded,
  leadCreated,
  leadScored,
  leadAssigned,
  leadStatusChanged,
  dealCreated,
  dealStageChanged,
  dealWon,
  dealLost,
  activityLogged,
  slaBreached,
  pluginFailed,
] as const;

export const eventSchema = z.discriminatedUnion("type", eventSchemas);

export type AppEvent = z.infer<typeof eventSchema>;
export type EventType = AppEvent["type"];
export type EventOf<T extends EventType> = Extract<AppEvent, { type: T }>;

/** The current version of each event type (the one producers write). */
export const EVENT_VERSIONS = Object.fromEntries(
  eventSchemas.map((s) => [s.shape.type.value, s.shape.version.value]),
) as { [T in EventType]: EventOf<T>["version"] };

/** Every event type, for validating what a plugin subscribes to. */
export const EVENT_TYPES = eventSchemas.map((s) => s.shape.type.value) as [EventType, ...EventType[]];
