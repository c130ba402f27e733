import type { Command } from "@autopilot/engine";
import type { Env } from "../env.js";
import { flushOutbox } from "../events/outbox.js";
import { knowledgeForTurn } from "../knowledge/answer.js";
import { createLogger } from "../lib/log.js";
import { type ActionCommand, type ActionOutcome, isActionCommand, type QueuedAction } from "./actions.js";
import { conversationConfig } from "./config.js";
import { type ConversationCore, ConversationError } from "./core.js";
import { mapEngineEvent } from "./events.js";
import type { PgItem } from "./pg-sink.js";
import type { MessageView, TurnResult } from "./protocol.js";
import { runTurn, type TurnAi } from "./run-turn.js";
import type { Sinks } from "./sinks.js";
import { visibleToVisitor } from "./sockets.js";
import type { PendingTurn } from "./stored.js";

/** A turn not finished this long after its message was stored is taken as interrupted (a generous AI wait). */
export const TURN_RESUME_AFTER_MS = 60_000;

/** What the turns need from the object that hosts them. */
export type TurnHost = {
  core: ConversationCore;
  env: Env;
  /** Read at each use: tests swap the object's sinks. */
  sinks: () => Sinks;
  /** Database work bounded like a turn's (ConversationDO.withDb). */
  withDb: <T>(fn: (db: ReturnType<Sinks["database"]>) => Promise<T>) => Promise<T>;
  turnAi: () => Promise<TurnAi>;
  /** The object's turn queue: one change at a time. */
  serial: <T>(fn: () => Promise<T>) => Promise<T>;
};

/**
 * The visitor's side: a message, the bot's turn through the engine, and the commands the turn
 * gives the host (handoff, route actions, knowledge, plugins). Route actions that cannot run yet
 * wait in the outbox, in order.
 */
export class BotTurns {
  /** A bot turn runs in this instance now (a pending turn found without one was interrupted). */
  running = false;
  /** While a turn that ends its route runs its actions: their lines for the visitor, merged into the end. */
  private actionLines: string[] | null = null;

  constructor(private readonly host: TurnHost) {}

  private get core(): ConversationCore {
    return this.host.core;
  }

  async visitorTurn(text: string, clientId?: string): Promise<TurnResult> {
    const core = this.core;
    const meta = core.loadMetaOrThrow();
    // A resend of a message that arrived (its answer was lost on the way): the same turn, not a new one.
    const seen = clientId === undefined ? undefined : core.store.seqOfClientMessage(clientId);
    if (seen !== undefined)
      return {
        conversation: core.view(),
        messages: core.store.messages(seen - 1, 50).filter(visibleToVisitor),
        duplicate: true,
      };
    if (meta.status === "closed") throw new ConversationError("conflict", "conversation is closed");
    const out: MessageView[] = [core.append("visitor", null, text, clientId ? { clientId } : undefined)];
    meta.awaitingSince ??= new Date().toISOString();
    core.event({
      type: "message.received",
      actor: core.visitorActor(),
      properties: { channel: meta.channel, length: text.length },
    });
    core.touchInactivity();
    // A human owns the conversation (or is being fetched): the bot stays quiet.
    if (meta.status === "bot") {
      // Durable with the message itself: if this object stops before the turn is stored, the alarm
      // runs the turn again (resumeInterrupted).
      core.store.put("pendingTurn", { seq: out[0]?.seq ?? 0, text } satisfies PendingTurn);
      core.setTimer("turnAt", Date.now() + TURN_RESUME_AFTER_MS);
      core.scheduleAlarm();
      out.push(...(await this.botTurn(text, out[0]?.seq ?? 0)));
    }
    core.saveMeta();
    core.scheduleAlarm();
    return { conversation: core.view(), messages: out };
  }

  /**
   * A visitor message stored without its bot turn finishing (the object was stopped or evicted
   * mid-turn, which forgets the turn in flight) gets its turn now; `running` tells a turn still
   * running in this instance from one that was lost.
   */
  async resumeInterrupted(): Promise<void> {
    const core = this.core;
    if (!core.store.get<PendingTurn>("pendingTurn")) return;
    if (this.running) {
      // A slow turn, not a lost one: look again later.
      core.setTimer("turnAt", Date.now() + TURN_RESUME_AFTER_MS);
      return;
    }
    await this.host.serial(async () => {
      const pending = core.store.get<PendingTurn>("pendingTurn");
      if (!pending || this.running) return;
      const meta = core.loadMetaOrThrow();
      const log = createLogger({ conversation: meta.id });
      log.warn("interrupted turn resumed", { seq: pending.seq });
      try {
        if (meta.status === "bot") await this.botTurn(pending.text, pending.seq);
      } catch (error) {
        // Tried once more only: a turn that fails every time must not loop the alarm.
        log.error("resumed turn failed", { seq: pending.seq, error: String(error) });
      } finally {
        this.endPendingTurn();
      }
      core.saveMeta();
      core.scheduleAlarm();
    });
  }

  /** Actions waiting in the outbox, oldest first; stops at the first that still cannot run. */
  async drainActions(dueBy: number): Promise<void> {
    const store = this.core.store;
    for (let i = 0; i < 50; i++) {
      const row = store.first("action");
      if (!row || row.next_at > dueBy) return;
      const outcome = await this.host.serial(() =>
        this.performAction(JSON.parse(row.payload) as QueuedAction),
      );
      if (outcome.status === "failed" && !outcome.permanent) {
        store.retryLater([row.id], Date.now());
        return;
      }
      store.acknowledge([row.id]);
      if (outcome.status === "done") await this.host.serial(async () => this.core.saveMeta());
    }
  }

  /** The bot's answer to the visitor message `seq`: the engine's turn, its replies and its actions. */
  private async botTurn(text: string, seq: number): Promise<MessageView[]> {
    const core = this.core;
    const meta = core.loadMetaOrThrow();
    const out: MessageView[] = [];
    this.running = true;
    try {
      core.broadcast({ type: "typing", on: true });
      const { result } = await runTurn({
        state: core.loadState(),
        text,
        snapshot: core.loadSnapshot(),
        conversationId: meta.id,
        channel: meta.channel,
        timeZone: meta.timeZone,
        businessHours: meta.businessHours,
        ai: await this.host.turnAi(),
        // Streamed to the sockets as it is grounded; the stored answer follows as a message.
        onDraft: (draft) => core.broadcast({ type: "draft", text: draft }),
        knowledge: (queries) =>
          this.host.withDb((db) => knowledgeForTurn(db, meta.tenantId, queries, this.host.env)),
      });
      core.putState(result.state);
      for (const e of result.events) {
        const body = mapEngineEvent(e, {
          routesVersion: meta.routesVersion,
          text,
          actor: core.visitorActor(),
        });
        if (body) core.event(body);
        if (e.type === "knowledge.unanswered") core.recordUnanswered(core.store.messageId(seq), text);
      }
      // A route that ends in this turn with actions ("Maya will contact you shortly") closes with one
      // message: the end step's text and the actions' lines together, not two goodbyes.
      const last = result.replies.at(-1);
      const closing =
        last && this.isEndStep(last.routeId, last.stepId) && result.commands.some(isActionCommand)
          ? last
          : undefined;
      for (const reply of closing ? result.replies.slice(0, -1) : result.replies)
        out.push(core.botReply(reply));
      // The turn's state and replies are stored in this same step: from here it is not run again.
      this.endPendingTurn();
      this.actionLines = closing ? [] : null;
      try {
        for (const command of result.commands) out.push(...(await this.execute(command, text)));
      } finally {
        const lines = this.actionLines ?? [];
        this.actionLines = null;
        if (closing) out.push(core.botReply({ ...closing, text: [closing.text, ...lines].join(" ") }));
      }
      core.broadcast({ type: "typing", on: false });
      return out;
    } finally {
      this.running = false;
    }
  }

  private endPendingTurn(): void {
    this.core.store.delete("pendingTurn");
    this.core.setTimer("turnAt", undefined);
  }

  /** The host's side of the engine's commands. AI-help commands were handled by runTurn. */
  private async execute(command: Command, text: string): Promise<MessageView[]> {
    const core = this.core;
    const meta = core.loadMetaOrThrow();
    switch (command.type) {
      case "handoff": {
        meta.handoffAt = new Date().toISOString();
        // From now the visitor waits for a person: the first agent reply measures from here (the
        // bot's "connecting you" does not answer them).
        meta.awaitingSince = meta.handoffAt;
        core.setStatus("waiting");
        core.store.enqueue("pg", {
          t: "handoff_notify",
          conversationId: meta.id,
          reason: command.reason,
          preview: text,
        } satisfies PgItem);
        core.setTimer("slaAt", Date.now() + conversationConfig(this.host.env).slaMs);
        return [];
      }
      case "answer_from_knowledge": {
        // The knowledge base arrives with its own issue; until then the honest answer is the fallback.
        core.event({
          type: "knowledge.unanswered",
          actor: { type: "system", id: null },
          properties: { question: command.query.slice(0, 500) },
        });
        core.recordUnanswered(undefined, command.query);
        return [core.botReply({ kind: "answer", text: command.fallback })];
      }
      default:
        return isActionCommand(command) ? this.turnAction(command) : [];
    }
  }

  /**
   * A route action inside the turn, so the reply can name the owner. It waits in the outbox (the
   * alarm retries it) while the database is down, and behind any earlier action still waiting:
   * actions run in order, since assign needs the lead create_lead makes.
   */
  private async turnAction(command: ActionCommand): Promise<MessageView[]> {
    const core = this.core;
    const meta = core.loadMetaOrThrow();
    const route = core.loadSnapshot().routes.find((r) => r.id === command.routeId);
    const queued: QueuedAction = {
      command,
      key: `${meta.id}:${command.routeId}:${command.stepId}:${core.loadState().turn}`,
      fieldTypes: Object.fromEntries(
        (route?.steps ?? []).flatMap((s) => (s.kind === "ask" ? [[s.field.name, s.field.type]] : [])),
      ),
    };
    if (core.store.pending().some((p) => p.kind === "action")) {
      core.store.enqueue("action", queued);
      return [];
    }
    const outcome = await this.performAction(queued);
    if (outcome.status === "failed" && !outcome.permanent) core.store.enqueue("action", queued);
    if (outcome.status !== "done" || !outcome.summary) return [];
    if (this.actionLines) {
      this.actionLines.push(outcome.summary);
      return [];
    }
    return [
      core.botReply({ kind: "say", text: outcome.summary, routeId: command.routeId, stepId: command.stepId }),
    ];
  }

  private isEndStep(routeId: string | undefined, stepId: string | undefined): boolean {
    if (!routeId || !stepId) return false;
    const route = this.core.loadSnapshot().routes.find((r) => r.id === routeId);
    return route?.steps.some((st) => st.id === stepId && st.kind === "end") ?? false;
  }

  /** Runs one action and keeps what it produced; a permanent failure is noted for the agents. */
  private async performAction(q: QueuedAction): Promise<ActionOutcome> {
    const meta = this.core.loadMetaOrThrow();
    const sinks = this.host.sinks();
    const context = {
      tenantId: meta.tenantId,
      conversationId: meta.id,
      visitorId: meta.visitorId,
      key: q.key,
      leadId: meta.leadId ?? null,
      contactId: meta.contactId ?? null,
      fieldTypes: q.fieldTypes,
    };
    const outcome: ActionOutcome = await this.host
      .withDb(async (db) => {
        const result = await sinks.actions.run(q.command, context, {
          db,
          mailer: sinks.mailer,
          appUrl: this.host.env.APP_URL,
          plugins: this.host.env,
        });
        // The lead's events (lead.created, lead.assigned…) wait in the tenant's outbox table: send them now.
        if (result.status === "done")
          await flushOutbox(db, meta.tenantId, sinks.events).catch(() => undefined);
        return result;
      })
      .catch((error): ActionOutcome => ({ status: "failed", error: String(error), permanent: false }));
    if (outcome.status === "done") {
      if (outcome.leadId) meta.leadId = outcome.leadId;
      if (outcome.contactId) meta.contactId = outcome.contactId;
    } else if (outcome.status === "failed" && outcome.permanent) {
      createLogger({ conversation: meta.id }).warn("route action failed", {
        action: q.command.type,
        error: outcome.error,
      });
      this.core.append("note", null, `The ${q.command.type} action failed: ${outcome.error}`, {
        command: q.command.type,
        result: "failed",
      });
    }
    return outcome;
  }
}
