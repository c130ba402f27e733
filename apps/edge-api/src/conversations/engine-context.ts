import {
  type BusinessHours,
  type Route,
  type RouterModel,
  type StepContext,
  seededRandom,
  select,
} from "@autopilot/engine";

// The StepContext a host gives the engine: the pinned routes and model, a clock and seeded randomness
// (a re-run of the same turn with AI proposals picks the same variants).

export function engineContext(o: {
  routes: Route[];
  model: RouterModel;
  routesVersion: number;
  channel: string;
  timeZone: string;
  businessHours?: BusinessHours;
  aiAvailable: boolean;
  seed: number;
  now?: Date;
  businessName?: string;
  /** The host retrieves knowledge for answer_from_knowledge (so routes compete with it). */
  retrievesKnowledge?: boolean;
}): StepContext {
  return {
    now: o.now ?? new Date(),
    random: seededRandom(o.seed),
    routes: o.routes,
    routesVersion: String(o.routesVersion),
    selectRoute: (text) => select(o.model, text),
    channel: o.channel,
    timeZone: o.timeZone,
    businessHours: o.businessHours,
    aiAvailable: o.aiAvailable,
    retrievesKnowledge: o.retrievesKnowledge,
    business: o.businessName ? { name: o.businessName } : undefined,
  };
}

/** A stable 32-bit seed from a conversation id and turn number. */
export function seedOf(conversationId: string, turn: number): number {
  let h = 2166136261 ^ turn;
  for (let i = 0; i < conversationId.length; i++) h = Math.imul(h ^ conversationId.charCodeAt(i), 16777619);
  return h >>> 0;
}
