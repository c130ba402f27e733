import { DurableObject } from "cloudflare:workers";
import { withTenant } from "@autopilot/db";
import { z } from "zod";
import { loadAiSettings } from "../ai/tenant-provider.js";
import { AppError, type ErrorCode } from "../domain/errors.js";
import type { Env } from "../env.js";
import { DbDeadlineError, dbDeadline } from "../lib/deadline.js";
import { createLogger } from "../lib/log.js";
import { agentMessage, assignTo, closeNow, handBack, rate } from "./agents.js";
import { TurnAiCache } from "./ai-cache.js";
import { BotTurns } from "./bot-turns.js";
import { applyReceipt, drainSends } from "./channel-send.js";
import { conversationConfig } from "./config.js";
import { ConversationCore, ConversationError } from "./core.js";
import { withDbSlot } from "./db-gate.js";
import { drainOutbox } from "./drain.js";
import { checkMessageLimits } from "./limits.js";
import {
  AgentInput,
  AgentTextInput,
  CloseInput,
  type ConversationView,
  CsatInput,
  HistoryInput,
  ReceiptInput,
  StartInput,
  type TurnResult,
  VisitorMessageInput,
} from "./protocol.js";
import { defaultSinks, type Sinks } from "./sinks.js";
import { callerOf, errorFrame, openSocket, readFrame, tagOf, visibleToVisitor } from "./sockets.js";
import { newMeta, startConfig } from "./start-config.js";
import { ConversationStore } from "./store.js";
import { readTimers } from "./timers.js";

/**
 * How a ConversationError crosses RPC: returned, not thrown. A refusal is an answer (a wrong id, a
 * closed conversation), not a fault, and a rejected RPC is logged as an uncaught exception by the
 * test pool (workers-sdk#14736); real faults still throw and are logged.
 */
export type Refusal = { refused: { code: ErrorCode; message: string } };

/**
 * One conversation: the live authority for its transcript, engine state and pinned routes version.
 * Every change goes through `serial` (one turn at a time, even while a turn awaits the model and the
 * input gate lets the next request in), and is copied out through the outbox (drain.ts). This class
 * is the object's surface (RPC, sockets, alarm, outbox); the conversation itself is in core.ts, the
 * visitor's turns in bot-turns.ts, the agents' operations in agents.ts.
 */
export class ConversationDO extends DurableObject<Env> {
  private readonly core: ConversationCore;
  private readonly turns: BotTurns;
  private tail: Promise<unknown> = Promise.resolve();
  /** The tenant's AI provider for turns, loaded once and refreshed in the background. */
  private readonly aiCache = new TurnAiCache(
    () => this.env,
    (tenantId) => this.withDb((db) => withTenant(db, tenantId, (tx) => loadAiSettings(tx, tenantId))),
  );
  private draining: Promise<void> | null = null;
  private drainAgain = false;
  /** A coalesced caller asked to skip backoff: the next pass does (it may join a backoff-respecting run). */
  private drainNowAgain = false;
  /** Swapped by tests (runInDurableObject) to make the queue or the database fail. */
  sinks: Sinks;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.core = new ConversationCore(new ConversationStore(ctx.storage.sql), ctx, env);
    this.sinks = defaultSinks(env);
    this.turns = new BotTurns({
      core: this.core,
      env,
      sinks: () => this.sinks,
      withDb: (fn) => this.withDb(fn),
      turnAi: () => this.aiCache.get(this.core.loadMetaOrThrow().tenantId),
      serial: (fn) => this.serial(fn),
    });
  }

  // ---- RPC -------------------------------------------------------------------------------------

  async start(raw: StartInput): Promise<ConversationView | Refusal> {
    return this.refusing(async () => {
      const input = StartInput.parse(raw);
      return this.serial(async () => {
        const core = this.core;
        if (core.loadMeta()) {
          core.requireVisitor(input);
          return core.view();
        }
        const loaded = await startConfig(input.tenantId, (fn) => this.withDb(fn)).catch((error) => {
          createLogger({ conversation: input.conversationId }).warn("start configuration unavailable", {
            error: String(error),
          });
          throw new ConversationError("unavailable", "conversations cannot start while the database is down");
        });
        if (!loaded) throw new ConversationError("not_found", "tenant not found");
        const meta = newMeta(input, loaded);
        core.begin(meta, loaded.snapshot);
        this.aiCache.use(meta.tenantId, loaded.ai);
        core.event({
          type: "conversation.started",
          actor: core.visitorActor(),
          properties: { channel: meta.channel, routesVersion: meta.routesVersion },
        });
        core.saveMeta();
        core.touchInactivity();
        core.scheduleAlarm();
        return core.view();
      });
    });
  }

  async visitorMessage(raw: VisitorMessageInput): Promise<TurnResult | Refusal> {
    return this.refusing(async () => {
      const input = VisitorMessageInput.parse(raw);
      this.core.requireVisitor(input);
      return this.serial(() => this.turns.visitorTurn(input.text, input.clientId));
    });
  }

  async history(raw: z.input<typeof HistoryInput>): Promise<TurnResult | Refusal> {
    return this.refusing(async () => {
      const input = HistoryInput.parse(raw);
      const meta = this.core.requireMeta(input);
      if (input.visitorId !== undefined && meta.visitorId !== input.visitorId)
        throw new ConversationError("not_found", "conversation not found");
      const all = this.core.store.messages(input.afterSeq, input.limit);
      return {
        conversation: this.core.view(),
        messages: input.visitorId ? all.filter(visibleToVisitor) : all,
      };
    });
  }

  async takeOver(raw: AgentInput): Promise<ConversationView | Refusal> {
    return this.refusing(async () => {
      const input = AgentInput.parse(raw);
      this.core.requireMeta(input);
      return this.serial(async () => {
        assignTo(this.core, input.agentId);
        this.core.scheduleAlarm();
        return this.core.view();
      });
    });
  }

  async agentReply(raw: AgentTextInput): Promise<TurnResult | Refusal> {
    return this.refusing(async () => {
      const input = AgentTextInput.parse(raw);
      this.core.requireMeta(input);
      return this.serial(async () => agentMessage(this.core, input.agentId, input.text, "agent"));
    });
  }

  async note(raw: AgentTextInput): Promise<TurnResult | Refusal> {
    return this.refusing(async () => {
      const input = AgentTextInput.parse(raw);
      this.core.requireMeta(input);
      return this.serial(async () => agentMessage(this.core, input.agentId, input.text, "note"));
    });
  }

  async handBack(raw: AgentInput): Promise<ConversationView | Refusal> {
    return this.refusing(async () => {
      this.core.requireMeta(AgentInput.parse(raw));
      return this.serial(async () => handBack(this.core));
    });
  }

  async close(raw: CloseInput): Promise<ConversationView | Refusal> {
    return this.refusing(async () => {
      const input = CloseInput.parse(raw);
      this.core.requireMeta(input);
      return this.serial(async () => closeNow(this.core, input.by, input.agentId));
    });
  }

  async csat(raw: CsatInput): Promise<ConversationView | Refusal> {
    return this.refusing(async () => {
      const input = CsatInput.parse(raw);
      this.core.requireVisitor(input);
      return this.serial(async () => rate(this.core, input.score, input.comment));
    });
  }

  /** A channel provider's receipt (delivered, read, failed) for one of the replies. */
  async receipt(raw: ReceiptInput): Promise<{ found: boolean } | Refusal> {
    return this.refusing(async () => {
      const input = ReceiptInput.parse(raw);
      this.core.requireMeta(input);
      return this.serial(async () => ({ found: applyReceipt(this.core, input.seq, input) }));
    });
  }

  /** Outbox and queue diagnostics (tests, support). */
  async outboxStatus(raw: { tenantId: string; conversationId: string }) {
    this.core.requireMeta(z.object({ tenantId: z.uuid(), conversationId: z.uuid() }).parse(raw));
    return { pending: this.core.store.pending(), parked: this.core.store.parked() };
  }

  // ---- WebSocket (Hibernation API) --------------------------------------------------------------

  /** Upgrades from the worker, which authenticated the caller and says who it is in headers. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade") !== "websocket")
      return new Response("expected websocket", { status: 426 });
    const { tenantId, conversationId, tag } = callerOf(request);
    const meta = this.core.loadMeta();
    if (
      !meta ||
      meta.tenantId !== tenantId ||
      meta.id !== conversationId ||
      (tag.role === "visitor" && meta.visitorId !== tag.id)
    )
      return new Response("conversation not found", { status: 404 });
    return openSocket(this.ctx, tag, this.core.store.messages(0, 500), this.core.view());
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const tag = tagOf(ws);
    const frame = readFrame(ws, message);
    if (!frame || frame.type === "ping" || !tag) return;
    const meta = this.core.loadMeta();
    if (!meta) return;
    try {
      if (!tag.mayReply) throw new ConversationError("forbidden", "requires the agent role and write access");
      if (tag.role === "visitor") {
        const limit = await checkMessageLimits(this.env, meta.tenantId, tag.id);
        if (!limit.allowed) throw new ConversationError("rate_limited", "too many messages, slow down");
        await this.serial(() => this.turns.visitorTurn(frame.text, frame.clientId));
      } else await this.serial(async () => agentMessage(this.core, tag.id, frame.text, "agent"));
    } catch (error) {
      if (!(error instanceof AppError))
        createLogger({ conversation: meta.id }).error("socket message failed", { error: String(error) });
      ws.send(JSON.stringify(errorFrame(error)));
    }
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    ws.close(code === 1005 ? 1000 : code, "closed");
  }

  // ---- Alarm: inactivity, SLA, interrupted turns and outbox retries share the one alarm ----------

  override async alarm(): Promise<void> {
    const core = this.core;
    core.alarmFired();
    const meta = core.loadMeta();
    if (!meta) return;
    const now = Date.now();
    const timers = readTimers(core.store);
    if (timers.inactivityAt !== undefined && now >= timers.inactivityAt && meta.status !== "closed")
      await this.serial(async () => closeNow(core, "inactive", null));
    if (timers.slaAt !== undefined && now >= timers.slaAt && meta.status === "waiting") {
      await this.serial(async () => {
        core.event({
          type: "sla.breached",
          actor: { type: "system", id: null },
          properties: {
            kind: "first_response",
            ownerId: meta.assigneeId,
            dueAt: new Date(timers.slaAt ?? now).toISOString(),
          },
        });
        core.setTimer("slaAt", undefined);
      });
    }
    await this.turns.resumeInterrupted();
    await this.drain();
  }

  /** Copies pending outbox rows out; coalesces concurrent calls. `now: true` skips backoff (tests, support). */
  async drain(now = false): Promise<void> {
    if (this.draining) {
      this.drainAgain = true;
      if (now) this.drainNowAgain = true;
      return this.draining;
    }
    this.draining = (async () => {
      try {
        for (let i = 0; i < 10; i++) {
          this.drainAgain = false;
          const dueBy = now || this.drainNowAgain ? Number.MAX_SAFE_INTEGER : Date.now();
          this.drainNowAgain = false;
          const meta = this.core.loadMeta();
          if (!meta) return;
          // Bounded like a turn's database work (more generously: a burst of rows), so a hung database
          // never holds the connection slot other conversations wait for; the alarm retries.
          await withDbSlot(() =>
            dbDeadline(
              drainOutbox(this.core.store, meta.tenantId, this.sinks, this.env.APP_URL, dueBy),
              conversationConfig(this.env).dbTimeoutMs * 10,
            ),
          );
          await this.turns.drainActions(dueBy);
          // Sent replies' provider ids go to Postgres at once, so early receipts find them.
          if ((await drainSends(this.core, meta.tenantId, this.sinks.channels, dueBy)) > 0)
            this.drainAgain = true;
          if (!this.drainAgain) break;
        }
      } catch (error) {
        createLogger({ conversation: this.core.loadMeta()?.id }).warn("outbox drain failed", {
          error: String(error),
        });
      } finally {
        this.draining = null;
        this.core.scheduleAlarm();
      }
    })();
    return this.draining;
  }

  // ---- Helpers ---------------------------------------------------------------------------------

  /** The explicit turn queue: each operation starts when the previous one has finished. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
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
}
