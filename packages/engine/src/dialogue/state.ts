// Conversation state kept by the Conversation DO between turns. Validated with zod before use and after
// every step, so a stored state from an older build is caught rather than misread.
import { z } from "zod";

const Json = z.json();

export const HandoffStateSchema = z.object({
  /** requested: the host has been asked to route to a human. awaiting_email: out of hours, collecting an email first. */
  status: z.enum(["awaiting_email", "requested"]),
  reason: z.string(),
  team: z.string().optional(),
  skill: z.string().optional(),
  /** The route that was running (or whose handoff step fired). */
  routeId: z.string().optional(),
  outOfHours: z.boolean(),
  emailAttempts: z.number().int().min(0).default(0),
});
export type HandoffState = z.infer<typeof HandoffStateSchema>;

export const ConversationStateSchema = z.object({
  version: z.literal(1),
  /** Routes version the conversation started with; it finishes on those routes. */
  routesVersion: z.string().nullable(),
  turn: z.number().int().min(0),
  active: z
    .object({
      routeId: z.string(),
      stepId: z.string(),
      /** Attempts at the current ask step. */
      attempts: z.number().int().min(0),
      /** form.completed and verify_form are emitted once per route run. */
      formCompleted: z.boolean().default(false),
    })
    .nullable(),
  /** Fields collected by the active (or last) route. */
  fields: z.record(z.string(), Json),
  turnsWithoutProgress: z.number().int().min(0),
  lowConfidenceCount: z.number().int().min(0),
  /** Accumulated frustration score (caps and "!!!" count 1, cue words and profanity 2). */
  frustration: z.number().min(0),
  handoff: HandoffStateSchema.nullable(),
  /** An offer the last reply made ("shall I connect you with someone?"), answered by the next message. */
  offer: z.enum(["handoff"]).optional(),
  completedRoutes: z.array(z.string()),
  /** The last question the knowledge base was asked, which a follow-up ("and the Mini?") leans on. */
  lastQuestion: z.string().max(500).optional(),
});
export type ConversationState = z.infer<typeof ConversationStateSchema>;

export function initialState(routesVersion: string | null = null): ConversationState {
  return {
    version: 1,
    routesVersion,
    turn: 0,
    active: null,
    fields: {},
    turnsWithoutProgress: 0,
    lowConfidenceCount: 0,
    frustration: 0,
    handoff: null,
    completedRoutes: [],
  };
}
