import { DurableObject } from "cloudflare:workers";
import { withTenant } from "@autopilot/db";
import {
  type Command,
  type ConversationState,
  ConversationStateSchema,
  initialState,
  type Reply,
} from "@autopilot/engine";
import type { AppEvent } from "@autopilot/sdk";
import { z } from "zod";
import { loadAiSettings } from "../ai/tenant-provider.js";
import { AppError, type ErrorCode } from "../domain/errors.js";
import type { Env } from "../env.js";
import { flushOutbox } from "../events/outbox.js";
import { knowledgeForTurn } from "../knowledge/answer.js";
import { DbDeadlineError, dbDeadline } from "../lib/deadline.js";
import { createLogger } from "../lib/log.js";
import { emptySnapshot, type RoutesSnapshot, withCurrentModel } from "../route-config/snapshot.js";
import { type ActionCommand, type ActionOutcome, isActionCommand, type QueuedAction } from "./actions.js";
import { TurnAiCache } from "./ai-cache.js";
import { conversationConfig } from "./config.js";
import { withDbSlot } from "./db-gate.js";
import { drainOutbox } from "./drain.js";
import { type Actor, conversationEvent, mapEngineEvent } from "./events.js";
import { checkMessageLimits } from "./limits.js";
import type { PgItem } from "./pg-sink.js";
import {
  AgentInput,
  AgentTextInput,
  CloseInput,
  type ConversationView,
  CsatInput,
  HistoryInput,
  type MessageView,
  type Sender,
  type ServerFrame,
  StartInput,
  type Status,
  type TurnResult,
  VisitorMessageInput,
} from "./protocol.js";
import { runTurn, type TurnAi } from "./run-turn.js";
import { defaultSinks, type Sinks } from "./sinks.js";
import {
  broadcast,
  callerOf,
  errorFrame,
  openSocket,
  readFrame,
  tagOf,
  visibleToVisitor,
} from "./sockets.js";
import { startConfig } from "./start-config.js";
import { ConversationStore } from "./store.js";
import type { Meta, PendingTurn, Timers } from "./stored.js";
import { nextAlarmAt, readTimers, setTimer } from "./timers.js";

/** An expected refusal (a wrong id, a closed conversation): its code and message reach the caller. */
export class ConversationError extends AppError {
  constructor(
    code: "not_found" | "conflict" | "unavailable" | "rate_limited" | "forbidden",
    message: string,
  ) {
    super(code, message);
  }
}

/**
 * How a ConversationError crosses RPC: returned, not thrown. A refusal is an answer (a wrong id, a
 * closed conversation), not a fault, and a rejected RPC is logged as an uncaught exception by the
 * test pool (workers-sdk#14736); real faults still throw and are logged.
 */
export type Refusal = { refused: { code: ErrorCode; message: string } };

/** A turn not finished this long after its message was stored is taken as interrupted (a generous AI wait). */
const TURN_RESUME_AFTER_MS = 60_000;

/**
 * One conversation: the live authority for its transcript, engine state and pinned routes version.
 * Every change goes through `serial` (one turn at a time, even while a turn awaits the model and the
 * input gate lets the next request in), and is copied out through the outbox (drain.ts).
 */
export class ConversationDO extends DurableObject<Env> {
  private readonly store: ConversationStore;
  private tail: Promise<unknown> = Promise.resolve();
  /** While a turn that ends its route runs its actions: their lines for the visitor, merged into the end. */
  private actionLines: string[] | null = null;
  private meta: Meta | undefined;
  private state: ConversationState | undefined;
  private snapshot: RoutesSnapshot | undefined;
  /** The tenant's AI provider for turns, loaded once and refreshed in the background. */
  private readonly aiCache = new TurnAiCache(
    () => this.env,
    (tenantId) => this.withDb((db) => withTenant(db, tenantId, (tx) => loadAiSettings(tx, tenantId))),
  );
  private draining: Promise<void> | null = null;
  private drainAgain = false;
  /** The alarm this instance last set (unknown after a restart), to skip rewriting the same time. */
  private alarmAt: number | undefined;
  /** A bot turn runs in this instance now (a pending turn found without one was interrupted). */
  private turnRunning = false;
  /** Swapped by tests (runInDurableObject) to make the queue or the database fail. */
  sinks: Sinks;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.store = new ConversationStore(ctx.storage.sql);
    this.sinks = defaultSinks(env);
  }

  // ---- RPC -------------------------------------------------------------------------------------

  async start(raw: StartInput): Promise<ConversationView | Refusal> {
    return this.refusing(async () => {
      const input = StartInput.parse(raw);
      return this.serial(async () => {
        const existing = this.loadMeta();
        if (existing) {
          this.assertTenant(existing, input);
          if (existing.visitorId !== input.visitorId)
            throw new ConversationError("not_found", "conversation not found");
          return this.view();
        }
        const loaded = await startConfig(input.tenantId, (fn) => this.withDb(fn)).catch(() => {
          throw new ConversationError("unavailable", "conversations cannot start while the database is down");
        });
        if (!loaded) throw new ConversationError("not_found", "tenant not found");
        const now = new Date().toISOString();
        const meta: Meta = {
          id: input.conversationId,
          tenantId: input.tenantId,
          channel: input.channel,
          status: "bot",
          visitorId: input.visitorId,
          assigneeId: null,
          routesVersion: loaded.snapshot.version,
          createdAt: now,
          closedAt: null,
          csatScore: null,
          csatComment: null,
          timeZone: loaded.tenant.timeZone,
          tenantName: loaded.tenant.name,
          businessHours: loaded.tenant.businessHours,
          revision: 0,
          lastMessage: "",
          lastMessageAt: null,
          messageCount: 0,
          handoffAt: null,
          awaitingSince: null,
        };
        this.snapshot = loaded.snapshot;
        this.store.put("snapshot", loaded.snapshot);
        this.state = initialState(String(loaded.snapshot.version));
        this.store.put("state", this.state);
        this.meta = meta;
        this.aiCache.use(meta.tenantId, loaded.ai);
        this.event({
          type: "conversation.started",
          actor: this.visitorActor(),
          properties: { channel: meta.channel, routesVersion: meta.routesVersion },
        });
        this.saveMeta();
        this.touchInactivity();
        this.drainSoon();
        return this.view();
      });
    });
  }

  async visitorMessage(raw: VisitorMessageInput): Promise<TurnResult | Refusal> {
    return this.refusing(async () => {
      const input = VisitorMessageInput.parse(raw);
      this.assertVisitor(input);
      return this.serial(() => this.visitorTurn(input.text, input.clientId));
    });
  }

  async history(raw: z.input<typeof HistoryInput>): Promise<TurnResult | Refusal> {
    return this.refusing(async () => {
      const input = HistoryInput.parse(raw);
      const meta = this.requireMeta(input);
      if (input.visitorId !== undefined && meta.visitorId !== input.visitorId)
        throw new ConversationError("not_found", "conversation not found");
      const all = this.store.messages(input.afterSeq, input.limit);
      return { conversation: this.view(), messages: input.visitorId ? all.filter(visibleToVisitor) : all };
    });
  }

  async takeOver(raw: AgentInput): Promise<ConversationView | Refusal> {
    return this.refusing(async () => {
      const input = AgentInput.parse(raw);
      this.requireMeta(input);
      return this.serial(async () => {
        this.assignTo(input.agentId);
        this.drainSoon();
        return this.view();
      });
    });
  }

  async agentReply(raw: AgentTextInput): Promise<TurnResult | Refusal> {
    return this.refusing(async () => {
      const input = AgentTextInput.parse(raw);
      this.requireMeta(input);
      return this.serial(async () => this.agentMessage(input.agentId, input.text, "agent"));
    });
  }

  async note(raw: AgentTextInput): Promise<TurnResult | Refusal> {
    return this.refusing(async () => {
      const input = AgentTextInput.parse(raw);
      this.requireMeta(input);
      return this.serial(async () => this.agentMessage(input.agentId, input.text, "note"));
    });
  }

  async handBack(raw: AgentInput): Promise<ConversationView | Refusal> {
    return this.refusing(async () => {
      const input = AgentInput.parse(raw);
      const meta = this.requireMeta(input);
      return this.serial(async () => {
        if (meta.status === "closed") throw new ConversationError("conflict", "conversation is closed");
        const state = this.loadState();
        this.state = {
          ...state,
          handoff: null,
          turnsWithoutProgress: 0,
          frustration: 0,
          lowConfidenceCount: 0,
        };
        this.store.put("state", this.state);
        meta.assigneeId = null;
        meta.handoffAt = null;
        this.setStatus("bot");
        this.append("system", null, "The assistant is back in the conversation.");
        this.setTimer("slaAt", undefined);
        this.saveMeta();
        this.drainSoon();
        return this.view();
      });
    });
  }

  async close(raw: CloseInput): Promise<ConversationView | Refusal> {
    return this.refusing(async () => {
      const input = CloseInput.parse(raw);
      this.requireMeta(input);
      return this.serial(async () => this.closeNow(input.by, input.agentId));
    });
  }

  async csat(raw: CsatInput): Promise<ConversationView | Refusal> {
    return this.refusing(async () => {
      const input = CsatInput.parse(raw);
      const meta = this.assertVisitor(input);
      return this.serial(async () => {
        if (meta.status !== "closed")
          throw new ConversationError("conflict", "rate the conversation after it closes");
        if (meta.csatScore !== null) throw new ConversationError("conflict", "already rated");
        meta.csatScore = input.score;
        meta.csatComment = input.comment?.trim() || null;
        this.event({
          type: "csat.recorded",
          actor: this.visitorActor(),
          properties: { score: input.score, agentId: meta.assigneeId, comment: input.comment },
        });
        this.saveMeta();
        this.drainSoon();
        return this.view();
      });
    });
  }

  /** Outbox and queue diagnostics (tests, support). */
  async outboxStatus(raw: { tenantId: string; conversationId: string }) {
    this.requireMeta(z.object({ tenantId: z.uuid(), conversationId: z.uuid() }).parse(raw));
    return { pending: this.store.pending(), parked: this.store.parked() };
  }

  // ---- WebSocket (Hibernation API) --------------------------------------------------------------

  /** Upgrades from the worker, which authenticated the caller and says who it is in headers. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade") !== "websocket")
      return new Response("expected websocket", { status: 426 });
    const { tenantId, conversationId, tag } = callerOf(request);
    const meta = this.loadMeta();
    if (
      !meta ||
      meta.tenantId !== tenantId ||
      meta.id !== conversationId ||
      (tag.role === "visitor" && meta.visitorId !== tag.id)
    )
      return new Response("conversation not found", { status: 404 });
    return openSocket(this.ctx, tag, this.store.messages(0, 500), this.view());
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const tag = tagOf(ws);
    const frame = readFrame(ws, message);
    if (!frame || frame.type === "ping" || !tag) return;
    const meta = this.loadMeta();
    if (!meta) return;
    try {
      if (!tag.mayReply) throw new ConversationError("forbidden", "requires the agent role and write access");
      if (tag.role === "visitor") {
        const limit = await checkMessageLimits(this.env, meta.tenantId, tag.id);
        if (!limit.allowed) throw new ConversationError("rate_limited", "too many messages, slow down");
        await this.serial(() => this.visitorTurn(frame.text, frame.clientId));
      } else await this.serial(async () => this.agentMessage(tag.id, frame.text, "agent"));
    } catch (error) {
      if (!(error instanceof AppError))
        createLogger({ conversation: meta.id }).error("socket message failed", { error: String(error) });
      ws.send(JSON.stringify(errorFrame(error)));
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    ws.close(code === 1005 ? 1000 : code, "closed");
  }

  // ---- Alarm: inactivity, SLA and outbox retries share the one alarm ----------------------------

  override async alarm(): Promise<void> {
    this.alarmAt = undefined; // this alarm has fired; the next change or the drain below sets the next
    const meta = this.loadMeta();
    if (!meta) return;
    const now = Date.now();
    const timers = readTimers(this.store);
    if (timers.inactivityAt !== undefined && now >= timers.inactivityAt && meta.status !== "closed")
      await this.serial(async () => this.closeNow("inactive", null));
    if (timers.slaAt !== undefined && now >= timers.slaAt && meta.status === "waiting") {
      await this.serial(async () => {
        this.event({
          type: "sla.breached",
          actor: { type: "system", id: null },
          properties: {
            kind: "first_response",
            ownerId: meta.assigneeId,
            dueAt: new Date(timers.slaAt ?? now).toISOString(),
          },
        });
        this.setTimer("slaAt", undefined);
      });
    }
    await this.resumeInterruptedTurn();
    await this.drain();
  }

  /**
   * A visitor message stored without its bot turn finishing (the object was stopped or evicted
   * mid-turn, which forgets the turn in flight) gets its turn now; `turnRunning` tells a turn still
   * running in this instance from one that was lost.
   */
  private async resumeInterruptedTurn(): Promise<void> {
    if (!this.store.get<PendingTurn>("pendingTurn")) return;
    if (this.turnRunning) {
      // A slow turn, not a lost one: look again later.
      this.setTimer("turnAt", Date.now() + TURN_RESUME_AFTER_MS);
      return;
    }
    await this.serial(async () => {
      const pending = this.store.get<PendingTurn>("pendingTurn");
      if (!pending || this.turnRunning) return;
      const meta = this.loadMetaOrThrow();
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
      this.saveMeta();
      this.drainSoon();
    });
  }

  /** Copies pending outbox rows out; coalesces concurrent calls. `now: true` skips backoff (tests, support). */
  async drain(now = false): Promise<void> {
    if (this.draining) {
      this.drainAgain = true;
      return this.draining;
    }
    this.draining = (async () => {
      try {
        for (let i = 0; i < 10; i++) {
          this.drainAgain = false;
          const meta = this.loadMeta();
          if (!meta) return;
          // Bounded like a turn's database work (more generously: a burst of rows), so a hung database
          // never holds the connection slot other conversations wait for; the alarm retries.
          await withDbSlot(() =>
            dbDeadline(
              drainOutbox(
                this.store,
                meta.tenantId,
                this.sinks,
                this.env.APP_URL,
                now ? Number.MAX_SAFE_INTEGER : Date.now(),
              ),
              conversationConfig(this.env).dbTimeoutMs * 10,
            ),
          );
          await this.drainActions(now ? Number.MAX_SAFE_INTEGER : Date.now());
          if (!this.drainAgain) break;
        }
      } catch (error) {
        createLogger({ conversation: this.meta?.id }).warn("outbox drain failed", { error: String(error) });
      } finally {
        this.draining = null;
        this.scheduleAlarm();
      }
    })();
    return this.draining;
  }

  // ---- Turns -----------------------------------------------------------------------------------

  private async visitorTurn(text: string, clientId?: string): Promise<TurnResult> {
    const meta = this.loadMetaOrThrow();
    // A resend of a message that arrived (its answer was lost on the way): the same turn, not a new one.
    const seen = clientId === undefined ? undefined : this.store.seqOfClientMessage(clientId);
    if (seen !== undefined)
      return {
        conversation: this.view(),
        messages: this.store.messages(seen - 1, 50).filter(visibleToVisitor),
      };
    if (meta.status === "closed") throw new ConversationError("conflict", "conversation is closed");
    const out: MessageView[] = [this.append("visitor", null, text, clientId ? { clientId } : undefined)];
    meta.awaitingSince ??= new Date().toISOString();
    this.event({
      type: "message.received",
      actor: this.visitorActor(),
      properties: { channel: meta.channel, length: text.length },
    });
    this.touchInactivity();
    // A human owns the conversation (or is being fetched): the bot stays quiet.
    if (meta.status === "bot") {
      // Durable with the message itself: if this object stops before the turn is stored, the alarm
      // runs the turn again (resumeInterruptedTurn).
      this.store.put("pendingTurn", { seq: out[0]?.seq ?? 0, text } satisfies PendingTurn);
      this.setTimer("turnAt", Date.now() + TURN_RESUME_AFTER_MS);
      this.scheduleAlarm();
      out.push(...(await this.botTurn(text, out[0]?.seq ?? 0)));
    }
    this.saveMeta();
    this.drainSoon();
    return { conversation: this.view(), messages: out };
  }

  /** The bot's answer to the visitor message `seq`: the engine's turn, its replies and its actions. */
  private async botTurn(text: string, seq: number): Promise<MessageView[]> {
    const meta = this.loadMetaOrThrow();
    const out: MessageView[] = [];
    this.turnRunning = true;
    try {
      this.broadcast({ type: "typing", on: true });
      const { result } = await runTurn({
        state: this.loadState(),
        text,
        snapshot: this.loadSnapshot(),
        conversationId: meta.id,
        channel: meta.channel,
        timeZone: meta.timeZone,
        businessHours: meta.businessHours,
        ai: await this.turnAi(),
        knowledge: (query) => this.withDb((db) => knowledgeForTurn(db, meta.tenantId, query, this.env)),
      });
      this.state = result.state;
      this.store.put("state", result.state);
      for (const e of result.events) {
        const body = mapEngineEvent(e, {
          routesVersion: meta.routesVersion,
          text,
          actor: this.visitorActor(),
        });
        if (body) this.event(body);
        if (e.type === "knowledge.unanswered") this.recordUnanswered(this.store.messageId(seq), text);
      }
      // A route that ends in this turn with actions ("Maya will contact you shortly") closes with one
      // message: the end step's text and the actions' lines together, not two goodbyes.
      const last = result.replies.at(-1);
      const closing =
        last && this.isEndStep(last.routeId, last.stepId) && result.commands.some(isActionCommand)
          ? last
          : undefined;
      for (const reply of closing ? result.replies.slice(0, -1) : result.replies)
        out.push(this.botReply(reply));
      // The turn's state and replies are stored in this same step: from here it is not run again.
      this.endPendingTurn();
      this.actionLines = closing ? [] : null;
      try {
        for (const command of result.commands) out.push(...(await this.execute(command, text)));
      } finally {
        const lines = this.actionLines ?? [];
        this.actionLines = null;
        if (closing) out.push(this.botReply({ ...closing, text: [closing.text, ...lines].join(" ") }));
      }
      this.broadcast({ type: "typing", on: false });
      return out;
    } finally {
      this.turnRunning = false;
    }
  }

  private endPendingTurn(): void {
    this.store.delete("pendingTurn");
    this.setTimer("turnAt", undefined);
  }

  private botReply(reply: Reply): MessageView {
    const meta = this.loadMetaOrThrow();
    const data: Record<string, unknown> = { kind: reply.kind };
    if (reply.quickReplies) data.quickReplies = reply.quickReplies;
    if (reply.routeId) data.routeId = reply.routeId;
    if (reply.stepId) data.stepId = reply.stepId;
    if (reply.citations) data.citations = reply.citations;
    if (reply.sources) data.sources = reply.sources;
    const m = this.append("bot", null, reply.text, data);
    this.messageSent("bot", null);
    void meta;
    return m;
  }

  private messageSent(sender: "bot" | "agent", agentId: string | null): void {
    const meta = this.loadMetaOrThrow();
    const since = meta.awaitingSince ? (Date.now() - Date.parse(meta.awaitingSince)) / 1000 : null;
    meta.awaitingSince = null;
    this.event({
      type: "message.sent",
      actor: sender === "bot" ? { type: "system", id: null } : { type: "user", id: agentId },
      properties: {
        channel: meta.channel,
        sender,
        agentId,
        responseSeconds: since === null ? null : Math.max(0, since),
      },
    });
  }

  /** The host's side of the engine's commands. AI-help commands were handled by runTurn. */
  private async execute(command: Command, text: string): Promise<MessageView[]> {
    const meta = this.loadMetaOrThrow();
    switch (command.type) {
      case "handoff": {
        meta.handoffAt = new Date().toISOString();
        // From now the visitor waits for a person: the first agent reply measures from here (the
        // bot's "connecting you" does not answer them).
        meta.awaitingSince = meta.handoffAt;
        this.setStatus("waiting");
        this.store.enqueue("pg", {
          t: "handoff_notify",
          conversationId: meta.id,
          reason: command.reason,
          preview: text,
        } satisfies PgItem);
        this.setTimer("slaAt", Date.now() + conversationConfig(this.env).slaMs);
        return [];
      }
      case "answer_from_knowledge": {
        // The knowledge base arrives with its own issue; until then the honest answer is the fallback.
        this.event({
          type: "knowledge.unanswered",
          actor: { type: "system", id: null },
          properties: { question: command.query.slice(0, 500) },
        });
        this.recordUnanswered(undefined, command.query);
        return [this.botReply({ kind: "answer", text: command.fallback })];
      }
      case "call_plugin":
        return [
          this.append("system", null, `Plugin ${command.plugin}.${command.method} is not available.`, {
            command: command.type,
            plugin: command.plugin,
            result: "not_available",
          }),
        ];
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
    const meta = this.loadMetaOrThrow();
    const route = this.loadSnapshot().routes.find((r) => r.id === command.routeId);
    const queued: QueuedAction = {
      command,
      key: `${meta.id}:${command.routeId}:${command.stepId}:${this.loadState().turn}`,
      fieldTypes: Object.fromEntries(
        (route?.steps ?? []).flatMap((s) => (s.kind === "ask" ? [[s.field.name, s.field.type]] : [])),
      ),
    };
    if (this.store.pending().some((p) => p.kind === "action")) {
      this.store.enqueue("action", queued);
      return [];
    }
    const outcome = await this.performAction(queued);
    if (outcome.status === "failed" && !outcome.permanent) this.store.enqueue("action", queued);
    if (outcome.status !== "done" || !outcome.summary) return [];
    if (this.actionLines) {
      this.actionLines.push(outcome.summary);
      return [];
    }
    return [
      this.botReply({ kind: "say", text: outcome.summary, routeId: command.routeId, stepId: command.stepId }),
    ];
  }

  private isEndStep(routeId: string | undefined, stepId: string | undefined): boolean {
    if (!routeId || !stepId) return false;
    const route = this.loadSnapshot().routes.find((r) => r.id === routeId);
    return route?.steps.some((st) => st.id === stepId && st.kind === "end") ?? false;
  }

  /** Runs one action and keeps what it produced; a permanent failure is noted for the agents. */
  private async performAction(q: QueuedAction): Promise<ActionOutcome> {
    const meta = this.loadMetaOrThrow();
    const context = {
      tenantId: meta.tenantId,
      conversationId: meta.id,
      visitorId: meta.visitorId,
      key: q.key,
      leadId: meta.leadId ?? null,
      contactId: meta.contactId ?? null,
      fieldTypes: q.fieldTypes,
    };
    const outcome: ActionOutcome = await this.withDb(async (db) => {
      const result = await this.sinks.actions.run(q.command, context, {
        db,
        mailer: this.sinks.mailer,
        appUrl: this.env.APP_URL,
      });
      // The lead's events (lead.created, lead.assigned…) wait in the tenant's outbox table: send them now.
      if (result.status === "done")
        await flushOutbox(db, meta.tenantId, this.sinks.events).catch(() => undefined);
      return result;
    }).catch((error) => ({ status: "failed", error: String(error), permanent: false }));
    if (outcome.status === "done") {
      if (outcome.leadId) meta.leadId = outcome.leadId;
      if (outcome.contactId) meta.contactId = outcome.contactId;
    } else if (outcome.status === "failed" && outcome.permanent) {
      createLogger({ conversation: meta.id }).warn("route action failed", {
        action: q.command.type,
        error: outcome.error,
      });
      this.append("note", null, `The ${q.command.type} action failed: ${outcome.error}`, {
        command: q.command.type,
        result: "failed",
      });
    }
    return outcome;
  }

  /** Actions waiting in the outbox, oldest first; stops at the first that still cannot run. */
  private async drainActions(dueBy: number): Promise<void> {
    for (let i = 0; i < 50; i++) {
      const row = this.store.firstAction();
      if (!row || row.next_at > dueBy) return;
      const outcome = await this.serial(() => this.performAction(JSON.parse(row.payload) as QueuedAction));
      if (outcome.status === "failed" && !outcome.permanent) {
        this.store.retryLater([row.id], Date.now());
        return;
      }
      this.store.acknowledge([row.id]);
      if (outcome.status === "done") await this.serial(async () => this.saveMeta());
    }
  }

  /** Unanswered questions reach Postgres through the outbox, for the admin list (knowledge/unanswered.ts). */
  private recordUnanswered(messageId: string | undefined, question: string): void {
    const meta = this.loadMetaOrThrow();
    this.store.enqueue("pg", {
      t: "knowledge_unanswered",
      id: messageId ?? crypto.randomUUID(),
      conversationId: meta.id,
      question: question.slice(0, 500),
      askedAt: new Date().toISOString(),
    } satisfies PgItem);
  }

  private agentMessage(agentId: string, text: string, kind: "agent" | "note"): TurnResult {
    const meta = this.loadMetaOrThrow();
    if (meta.status === "closed") throw new ConversationError("conflict", "conversation is closed");
    // Replying takes the conversation over: the bot must not talk over a human.
    if (kind === "agent" && (meta.status !== "human" || meta.assigneeId !== agentId)) this.assignTo(agentId);
    const m = this.append(kind, agentId, text);
    if (kind === "agent") this.messageSent("agent", agentId);
    this.touchInactivity();
    this.saveMeta();
    this.drainSoon();
    return { conversation: this.view(), messages: [m] };
  }

  private assignTo(agentId: string): void {
    const meta = this.loadMetaOrThrow();
    if (meta.status === "closed") throw new ConversationError("conflict", "conversation is closed");
    const waitSeconds = meta.handoffAt ? (Date.now() - Date.parse(meta.handoffAt)) / 1000 : 0;
    const state = this.loadState();
    // The engine treats a requested handoff as "a human owns it" and ignores turns until handed back.
    this.state = {
      ...state,
      active: null,
      handoff: state.handoff ?? {
        status: "requested",
        reason: "agent_takeover",
        outOfHours: false,
        emailAttempts: 0,
      },
    };
    this.store.put("state", this.state);
    meta.assigneeId = agentId;
    this.setStatus("human");
    this.setTimer("slaAt", undefined);
    this.event({
      type: "handoff.accepted",
      actor: { type: "user", id: agentId },
      properties: { agentId, waitSeconds: Math.max(0, waitSeconds) },
    });
    this.append("system", agentId, "An agent joined the conversation.");
    this.saveMeta();
  }

  private closeNow(by: "agent" | "visitor" | "inactive", agentId: string | null): ConversationView {
    const meta = this.loadMetaOrThrow();
    if (meta.status === "closed") return this.view();
    meta.closedAt = new Date().toISOString();
    this.setStatus("closed");
    this.append("bot", null, "This conversation is closed. How would you rate it, from 1 to 5?", {
      kind: "csat_request",
      quickReplies: ["1", "2", "3", "4", "5"],
    });
    this.event({
      type: "conversation.closed",
      actor: agentId ? { type: "user", id: agentId } : { type: "system", id: null },
      properties: {
        reason: by === "agent" ? "agent" : by === "visitor" ? "visitor" : "inactive",
        durationSeconds: Math.max(0, (Date.now() - Date.parse(meta.createdAt)) / 1000),
        agentId: meta.assigneeId,
      },
    });
    this.setTimer("inactivityAt", undefined);
    this.setTimer("slaAt", undefined);
    this.saveMeta();
    this.drainSoon();
    return this.view();
  }

  // ---- Helpers ---------------------------------------------------------------------------------

  /** The explicit turn queue: each operation starts when the previous one has finished. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private append(
    sender: Sender,
    authorId: string | null,
    text: string,
    data?: Record<string, unknown>,
  ): MessageView {
    const meta = this.loadMetaOrThrow();
    const m = this.store.append({ sender, authorId, text, data });
    if (sender !== "note" && sender !== "system") {
      meta.lastMessage = text;
      meta.lastMessageAt = m.createdAt;
    }
    this.store.enqueue("pg", { t: "message", row: { ...m, conversationId: meta.id } } satisfies PgItem);
    this.broadcast({ type: "message", message: m });
    return m;
  }

  private setStatus(status: Status): void {
    const meta = this.loadMetaOrThrow();
    meta.status = status;
    this.broadcast({ type: "status", conversation: this.view() });
  }

  /** Persists meta and queues its copy for Postgres (revision orders the copies). */
  private saveMeta(): void {
    const meta = this.loadMetaOrThrow();
    meta.revision++;
    // Derived from the transcript, never a separate tally (so a stop mid-turn cannot leave it short).
    meta.messageCount = this.store.messageCount();
    this.store.put("meta", meta);
    const {
      timeZone: _z,
      tenantName: _n,
      businessHours: _bh,
      handoffAt: _h,
      awaitingSince: _a,
      tenantId: _t,
      leadId: _l,
      ...row
    } = meta;
    this.store.enqueue("pg", { t: "conversation", row } satisfies PgItem);
  }

  private event(body: Parameters<typeof conversationEvent>[2]): void {
    const meta = this.loadMetaOrThrow();
    const e: AppEvent = conversationEvent(meta.tenantId, meta.id, body);
    this.store.enqueue("event", e);
  }

  private broadcast(frame: ServerFrame): void {
    broadcast(this.ctx, frame);
  }

  /**
   * The alarm copies the outbox out. It is set in the same step as the change (so the output gate
   * holds the reply until it is durable, and an evicted object still wakes up to deliver), and it is
   * coalesced (DRAIN_COALESCE_MS) so a busy conversation costs one database transaction per burst.
   */
  private drainSoon(): void {
    this.scheduleAlarm();
  }

  private setTimer(key: keyof Timers, at: number | undefined): void {
    setTimer(this.store, key, at);
  }

  private touchInactivity(): void {
    this.setTimer("inactivityAt", Date.now() + conversationConfig(this.env).inactivityMs);
  }

  /** One alarm for the earliest of the timers and the next outbox delivery (timers.ts). */
  private scheduleAlarm(): void {
    const at = nextAlarmAt(this.store);
    if (at === undefined || at === this.alarmAt) return;
    this.alarmAt = at;
    // Not awaited: the write is queued at once and the output gate makes the reply wait for it.
    this.ctx.storage.setAlarm(at).catch((error) => {
      this.alarmAt = undefined;
      createLogger({ conversation: this.meta?.id }).warn("setAlarm failed", { error: String(error) });
    });
  }

  private turnAi(): Promise<TurnAi> {
    return this.aiCache.get(this.loadMetaOrThrow().tenantId);
  }

  private async refusing<T>(fn: () => Promise<T>): Promise<T | Refusal> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof ConversationError)
        return { refused: { code: error.code, message: error.message } };
      throw error;
    }
  }

  /**
   * Database work for a turn, bounded: a database that hangs costs the customer at most dbTimeoutMs,
   * then the work fails like an outage (actions wait in the outbox, knowledge answers "not sure").
   */
  /**
   * Database work for a turn, bounded: a database that hangs costs the customer at most about
   * dbTimeoutMs, then the work fails like an outage (actions wait in the outbox, knowledge answers
   * "not sure"). Waiting for a connection slot counts too (a hung drain may hold one).
   */
  private async withDb<T>(fn: (db: ReturnType<Sinks["database"]>) => Promise<T>): Promise<T> {
    const { dbTimeoutMs } = conversationConfig(this.env);
    return dbDeadline(
      withDbSlot(async () => {
        const db = this.sinks.database();
        let hung = false;
        try {
          return await dbDeadline(fn(db), dbTimeoutMs);
        } catch (error) {
          hung = error instanceof DbDeadlineError;
          throw error;
        } finally {
          // A hung connection may hang its own close too: then it is left to the runtime.
          if (hung) void db.end().catch(() => undefined);
          else await db.end().catch(() => undefined);
        }
      }),
      dbTimeoutMs * 2,
    );
  }

  private loadMeta(): Meta | undefined {
    this.meta ??= this.store.get<Meta>("meta");
    return this.meta;
  }

  private loadMetaOrThrow(): Meta {
    const meta = this.loadMeta();
    if (!meta) throw new ConversationError("not_found", "conversation not found");
    return meta;
  }

  private loadState(): ConversationState {
    this.state ??= ConversationStateSchema.parse(this.store.get("state") ?? initialState());
    return this.state;
  }

  private loadSnapshot(): RoutesSnapshot {
    this.snapshot ??= withCurrentModel(this.store.get<RoutesSnapshot>("snapshot") ?? emptySnapshot());
    return this.snapshot;
  }

  private requireMeta(input: { tenantId: string; conversationId: string }): Meta {
    const meta = this.loadMetaOrThrow();
    this.assertTenant(meta, input);
    return meta;
  }

  private assertTenant(meta: Meta, input: { tenantId: string; conversationId: string }): void {
    // The object's name already includes the tenant; this check keeps it true if naming ever changes.
    if (meta.tenantId !== input.tenantId || meta.id !== input.conversationId)
      throw new ConversationError("not_found", "conversation not found");
  }

  private assertVisitor(input: { tenantId: string; conversationId: string; visitorId: string }): Meta {
    const meta = this.requireMeta(input);
    if (meta.visitorId !== input.visitorId)
      throw new ConversationError("not_found", "conversation not found");
    return meta;
  }

  private visitorActor(): Actor {
    return { type: "visitor", id: this.loadMeta()?.visitorId ?? null };
  }

  private view(): ConversationView {
    const m = this.loadMetaOrThrow();
    return {
      id: m.id,
      tenantId: m.tenantId,
      channel: m.channel,
      status: m.status,
      visitorId: m.visitorId,
      assigneeId: m.assigneeId,
      routesVersion: m.routesVersion,
      createdAt: m.createdAt,
      closedAt: m.closedAt,
      csatScore: m.csatScore,
      csatComment: m.csatComment ?? null,
    };
  }
}
