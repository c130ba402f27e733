import { BusinessHoursSchema } from "@autopilot/engine";
import { z } from "zod";
import { ChannelThread, ConversationViewSchema } from "./protocol.js";

// What the Conversation DO keeps under its meta keys, as schemas: the store checks a value against its
// schema before it is written (store.put), so a bug never leaves a shape the object cannot read back.
// The engine state is checked when it is read (ConversationStateSchema, in the DO).

export const MetaSchema = ConversationViewSchema.extend({
  timeZone: z.string(),
  tenantName: z.string(),
  /** The tenant's business hours when the conversation started (absent: always open). */
  businessHours: BusinessHoursSchema.optional(),
  revision: z.number().int(),
  lastMessage: z.string(),
  lastMessageAt: z.string().nullable(),
  messageCount: z.number().int().min(0),
  handoffAt: z.string().nullable(),
  /** When the visitor's latest unanswered message arrived (first-response time). */
  awaitingSince: z.string().nullable(),
  /** What the route's actions produced: the lead (assign and create_deal use it) and its contact. */
  leadId: z.string().nullable().optional(),
  contactId: z.string().nullable().optional(),
  /** A channel plugin's conversation: bot and agent replies are handed to that install's send. */
  thread: ChannelThread.optional(),
  /** When the customer last wrote (a channel's reply window is counted from it). */
  lastInboundAt: z.string().nullable().optional(),
});
export type Meta = z.infer<typeof MetaSchema>;

/** When each timer of the one alarm is due (epoch ms). `turnAt`: an unfinished turn is answered again. */
export const TimersSchema = z.object({
  inactivityAt: z.number().optional(),
  slaAt: z.number().optional(),
  turnAt: z.number().optional(),
});
export type Timers = z.infer<typeof TimersSchema>;

/** A visitor message stored before its bot turn ran; cleared in the step that stores the turn's result. */
export const PendingTurnSchema = z.object({ seq: z.number().int().min(1), text: z.string() });
export type PendingTurn = z.infer<typeof PendingTurnSchema>;

/** The routes version the conversation is pinned to (route-config/snapshot.ts), checked in outline. */
export const SnapshotSchema = z.object({
  version: z.number().int(),
  routes: z.array(z.looseObject({ id: z.string(), steps: z.array(z.unknown()) })),
  model: z.looseObject({}),
});

/** The keys with a schema; others (the engine state) are stored as given. */
export const STORED = {
  meta: MetaSchema,
  timers: TimersSchema,
  pendingTurn: PendingTurnSchema,
  snapshot: SnapshotSchema,
} as const;
export type StoredKey = keyof typeof STORED;
