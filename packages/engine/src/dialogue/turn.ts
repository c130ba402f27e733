// One turn in progress: the working copy of the state plus what the turn has produced so far.

import { type KnowledgeQuestion, knowledgeQuestion } from "../knowledge/question.js";
import type { Route } from "../routes/schema.js";
import type { Scope } from "../routes/variables.js";
import type { Command } from "./commands.js";
import {
  DEFAULT_CONFIG,
  type EngineConfig,
  type Reply,
  type StepContext,
  type StepInput,
} from "./context.js";
import type { EngineEvent } from "./events.js";
import type { AcceptedProposals } from "./proposals.js";
import type { ConversationState } from "./state.js";

export class Turn {
  readonly replies: Reply[] = [];
  readonly commands: Command[] = [];
  readonly events: EngineEvent[] = [];
  readonly config: EngineConfig;

  constructor(
    public state: ConversationState,
    readonly input: StepInput,
    /** Message text after normalisation. */
    readonly text: string,
    readonly ctx: StepContext,
    public proposals: AcceptedProposals,
  ) {
    this.config = { ...DEFAULT_CONFIG, ...ctx.config };
  }

  reply(r: Reply): void {
    this.replies.push(r);
  }
  command(c: Command): void {
    this.commands.push(c);
  }
  event(e: EngineEvent): void {
    this.events.push(e);
  }

  private asked?: KnowledgeQuestion;
  /** This message as the knowledge base is asked it (a follow-up leans on the last question). */
  get question(): KnowledgeQuestion {
    this.asked ??= knowledgeQuestion(this.text, this.state.lastQuestion);
    return this.asked;
  }

  route(id: string): Route | undefined {
    return this.ctx.routes.find((r) => r.id === id);
  }

  /** AI help commands only when a model is configured and this is not already a re-run with proposals. */
  get mayAskAi(): boolean {
    return this.ctx.aiAvailable && this.input.proposals === undefined;
  }

  scope(route?: Route): Scope {
    return {
      contact: this.ctx.contact,
      fields: this.state.fields,
      business: this.ctx.business,
      route: route ? { name: route.name } : undefined,
    };
  }

  extractContext() {
    return {
      now: this.ctx.now,
      timeZone: this.ctx.timeZone,
      defaultCountry: this.ctx.defaultCountry,
      defaultCurrency: this.ctx.defaultCurrency,
    };
  }
}
