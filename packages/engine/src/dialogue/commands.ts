// Commands: what the engine asks the host to do. The engine never performs I/O; the host executes these
// (create_lead and assign synchronously in the turn, the rest as it sees fit) and may use the AI ones
// to get proposals for a re-run of the same turn.
import { z } from "zod";

const Json = z.json();
const Fields = z.record(z.string(), Json);
const At = { routeId: z.string(), stepId: z.string() };

export const CommandSchema = z.discriminatedUnion("type", [
  // Route actions (business rules from the script).
  z.object({ type: z.literal("create_lead"), ...At, fields: Fields, source: z.string().optional() }),
  z.object({
    type: z.literal("assign"),
    ...At,
    strategy: z.string().optional(),
    team: z.string().optional(),
    skill: z.string().optional(),
  }),
  z.object({
    type: z.literal("create_deal"),
    ...At,
    pipeline: z.string().optional(),
    stage: z.string().optional(),
    title: z.string().optional(),
    value: z.object({ amount: z.number(), currency: z.string() }).optional(),
    fields: Fields,
  }),
  z.object({ type: z.literal("tag"), ...At, tags: z.array(z.string()) }),
  z.object({ type: z.literal("notify"), ...At, to: z.string(), message: z.string() }),
  z.object({
    type: z.literal("call_plugin"),
    ...At,
    plugin: z.string(),
    method: z.string(),
    input: z.record(z.string(), z.string()),
  }),
  // Conversation control.
  z.object({
    type: z.literal("handoff"),
    reason: z.string(),
    team: z.string().optional(),
    skill: z.string().optional(),
    outOfHours: z.boolean(),
    followUpEmail: z.string().optional(),
    routeId: z.string().optional(),
    fields: Fields,
  }),
  z.object({
    type: z.literal("answer_from_knowledge"),
    /** What retrieval is asked (content words and synonyms). */
    query: z.string(),
    /** What a model drafting the answer is asked: the customer's question (a follow-up with the one before). */
    question: z.string().optional(),
    fallback: z.string(),
  }),
  // Requests for AI help, emitted only when ctx.aiAvailable.
  z.object({
    type: z.literal("adjudicate_route"),
    text: z.string(),
    candidates: z.array(
      z.object({
        routeId: z.string(),
        name: z.string(),
        description: z.string().optional(),
        confidence: z.number(),
      }),
    ),
  }),
  z.object({ type: z.literal("rephrase"), routeId: z.string(), stepId: z.string(), text: z.string() }),
  z.object({
    type: z.literal("verify_form"),
    routeId: z.string(),
    fields: Fields,
    labels: z.record(z.string(), z.string()),
  }),
]);
export type Command = z.infer<typeof CommandSchema>;
export type CommandType = Command["type"];

/** Commands that change business data; an untrusted message must never cause one by itself. */
export const ACTION_COMMAND_TYPES = [
  "create_lead",
  "assign",
  "create_deal",
  "tag",
  "notify",
  "call_plugin",
] as const;
