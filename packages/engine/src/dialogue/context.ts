// What the host supplies to each step: routes, the route selector, clock, randomness and tenant settings.
import type { CountryCode } from "libphonenumber-js";
import type { KnowledgePolicy } from "../knowledge/policy.js";
import type { Selection } from "../router/types.js";
import type { Route } from "../routes/schema.js";
import type { Contact } from "../routes/variables.js";
import type { BusinessHours } from "./businessHours.js";

export type EngineConfig = {
  /** Consecutive turns without progress before handing off. */
  noProgressTurns: number;
  /** Low-confidence route selections before handing off. */
  maxLowConfidence: number;
  /** Frustration score that triggers a handoff. */
  frustrationThreshold: number;
  /** Guard against runaway scripts within one turn (validateRoute rejects such loops anyway). */
  maxStepsPerTurn: number;
  /** Extra words counted as profanity, on top of the built-in list. */
  profanity: string[];
};

export const DEFAULT_CONFIG: EngineConfig = {
  noProgressTurns: 3,
  maxLowConfidence: 2,
  frustrationThreshold: 2,
  maxStepsPerTurn: 50,
  profanity: [],
};

export type StepContext = {
  /** Clock, injected so a turn replays identically. */
  now: Date;
  /** Seeded randomness in [0, 1) for say variants. */
  random: () => number;
  /** Routes of the conversation's routesVersion (validated routes). */
  routes: Route[];
  routesVersion: string;
  /** The host's route selector, usually `(text) => select(compiledModel, text)`. */
  selectRoute: (text: string) => Selection;
  channel: string;
  /** Tenant IANA time zone. */
  timeZone: string;
  /** When absent the business is treated as always open. */
  businessHours?: BusinessHours;
  contact?: Contact;
  business?: { name?: string };
  defaultCountry?: CountryCode;
  defaultCurrency?: string;
  /** True when an AI provider is configured (and the budget allows): AI help commands may be emitted. */
  aiAvailable: boolean;
  /**
   * True when the host answers answer_from_knowledge by retrieving (and re-runs the turn with the
   * chunks): a route the router picked then competes with the knowledge base (see select.ts).
   */
  retrievesKnowledge?: boolean;
  /** The tenant's forbidden claims for knowledge answers. */
  knowledgePolicy?: KnowledgePolicy;
  config?: Partial<EngineConfig>;
};

/** A knowledge chunk the host retrieved for this turn; proposals may only cite these. */
export type KnowledgeChunk = {
  id: string;
  text: string;
  title?: string;
  url?: string;
  /** Heading path of the chunk (page title first); context for relevance and support. */
  headings?: string[];
};

/** Where an answer came from, for the reader: the chunk and its page. */
export type KnowledgeSource = { chunkId: string; url?: string; title?: string };

export type StepInput = {
  text: string;
  /** Untrusted proposals from an LLM; validated and otherwise ignored. */
  proposals?: unknown[];
  /**
   * Chunks the host retrieved for this turn's answer_from_knowledge command (possibly none). Given,
   * the engine answers (a grounded answer_with_citations proposal, else extractively) or says it does
   * not know; absent, a question for the knowledge base becomes the command.
   */
  knowledge?: KnowledgeChunk[];
};

export type Reply = {
  text: string;
  kind: "say" | "ask" | "reask" | "answer" | "system";
  routeId?: string;
  stepId?: string;
  /** Choice options for quick-reply buttons. */
  quickReplies?: string[];
  /** Knowledge chunk ids an answer is based on. */
  citations?: string[];
  /** The cited chunks' pages, for the widget to show as sources. */
  sources?: KnowledgeSource[];
};
