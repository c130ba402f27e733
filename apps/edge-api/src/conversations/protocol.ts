import { z } from "zod";
import { isStorableText } from "../lib/storable-text.js";

// The Conversation DO's RPC surface, validated with zod on the DO side: the worker is trusted, but a
// DO that checks its inputs stays correct when a new caller (a channel plugin, a job) is added.

export const MAX_MESSAGE_LENGTH = 4000;

export const tenantScoped = { tenantId: z.uuid(), conversationId: z.uuid() };

/** A channel plugin's thread a conversation answers on: its replies go out through that install. */
export const ChannelThread = z.object({ installId: z.uuid(), threadId: z.string().min(1).max(300) });
export type ChannelThread = z.infer<typeof ChannelThread>;

export const StartInput = z.object({
  ...tenantScoped,
  channel: z.string().min(1).max(40),
  visitorId: z.string().min(1).max(100),
  thread: ChannelThread.optional(),
  /** The CRM contact the channel already knows (a channel's user seen before). */
  contactId: z.uuid().optional(),
});
export type StartInput = z.infer<typeof StartInput>;

/** The widget's id for one message it sends: a resend (a lost answer, a retry) carries the same id. */
export const CLIENT_MESSAGE_ID = /^[A-Za-z0-9_-]{8,64}$/;
const clientMessageId = z.string().regex(CLIENT_MESSAGE_ID);

export const VisitorMessageInput = z.object({
  ...tenantScoped,
  visitorId: z.string().min(1).max(100),
  text: z.string().trim().min(1).max(MAX_MESSAGE_LENGTH),
  clientId: clientMessageId.optional(),
});
export type VisitorMessageInput = z.infer<typeof VisitorMessageInput>;

/** A channel provider's receipt for one of the conversation's replies. */
export const ReceiptInput = z.object({
  ...tenantScoped,
  seq: z.number().int().min(1),
  status: z.enum(["sent", "delivered", "read", "failed"]),
  reason: z.string().max(500).optional(),
});
export type ReceiptInput = z.infer<typeof ReceiptInput>;

export const AgentInput = z.object({ ...tenantScoped, agentId: z.uuid() });
export type AgentInput = z.infer<typeof AgentInput>;

export const AgentTextInput = AgentInput.extend({ text: z.string().trim().min(1).max(MAX_MESSAGE_LENGTH) });
export type AgentTextInput = z.infer<typeof AgentTextInput>;

export const CloseInput = z.object({
  ...tenantScoped,
  by: z.enum(["agent", "visitor", "inactive"]),
  agentId: z.uuid().nullable(),
});
export type CloseInput = z.infer<typeof CloseInput>;

export const CsatInput = z.object({
  ...tenantScoped,
  visitorId: z.string().min(1).max(100),
  score: z.number().int().min(1).max(5),
  comment: z.string().max(1000).optional(),
});
export type CsatInput = z.infer<typeof CsatInput>;

export const HistoryInput = z.object({
  ...tenantScoped,
  /** Visitors only see their own conversation and never internal notes. */
  visitorId: z.string().min(1).max(100).optional(),
  afterSeq: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(200),
});
export type HistoryInput = z.input<typeof HistoryInput>;

// What the object answers, as schemas: the routes answer with them (OpenAPI, the dashboard's types).
export const SENDERS = ["visitor", "bot", "agent", "system", "note"] as const;
export type Sender = (typeof SENDERS)[number];
export const STATUSES = ["bot", "waiting", "human", "closed"] as const;
export type Status = (typeof STATUSES)[number];

export const MessageViewSchema = z.object({
  id: z.string(),
  seq: z.number(),
  sender: z.enum(SENDERS),
  authorId: z.string().nullable(),
  text: z.string(),
  /** Per kind of message: quickReplies, routeId, stepId, citations, sources, clientId… */
  data: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type MessageView = z.infer<typeof MessageViewSchema>;

export const ConversationViewSchema = z.object({
  id: z.string(),
  tenantId: z.string(),
  channel: z.string(),
  status: z.enum(STATUSES),
  visitorId: z.string(),
  assigneeId: z.string().nullable(),
  routesVersion: z.number(),
  createdAt: z.string(),
  closedAt: z.string().nullable(),
  csatScore: z.number().nullable(),
  csatComment: z.string().nullable(),
});
export type ConversationView = z.infer<typeof ConversationViewSchema>;

export const TurnResultSchema = z.object({
  conversation: ConversationViewSchema,
  messages: z.array(MessageViewSchema),
  /** The message had arrived before (the same client id): nothing new was stored. */
  duplicate: z.boolean().optional(),
});
export type TurnResult = z.infer<typeof TurnResultSchema>;

/** Frames sent over the WebSocket to the widget and the inbox. */
export type ServerFrame =
  | { type: "message"; message: MessageView }
  | { type: "status"; conversation: ConversationView }
  | { type: "typing"; on: boolean }
  /** A model's answer while it is written: the grounded text so far; the "message" frame replaces it. */
  | { type: "draft"; text: string }
  | { type: "error"; code: string; message: string };

export const ClientFrame = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("message"),
    // The socket's frames pass the same text rule as HTTP bodies (http/input-guard.ts).
    text: z
      .string()
      .trim()
      .min(1)
      .max(MAX_MESSAGE_LENGTH)
      .refine(isStorableText, "contains a character that cannot be stored"),
    clientId: clientMessageId.optional(),
  }),
  z.object({ type: z.literal("ping") }),
]);
