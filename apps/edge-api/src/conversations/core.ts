import { type ConversationState, ConversationStateSchema, initialState, type Reply } from "@autopilot/engine";
import type { AppEvent } from "@autopilot/sdk";
import { AppError } from "../domain/errors.js";
import type { Env } from "../env.js";
import { createLogger } from "../lib/log.js";
import { emptySnapshot, type RoutesSnapshot, withCurrentModel } from "../route-config/snapshot.js";
import type { ChannelSend } from "./channel-send.js";
import { conversationConfig } from "./config.js";
import { type Actor, conversationEvent } from "./events.js";
import type { PgItem } from "./pg-sink.js";
import type { ConversationView, MessageView, Sender, ServerFrame, Status } from "./protocol.js";
import { broadcast } from "./sockets.js";
import type { ConversationStore } from "./store.js";
import type { Meta, Timers } from "./stored.js";
import { nextAlarmAt, setTimer } from "./timers.js";

/** An expected refusal (a wrong id, a closed conversation): its code and message reach the caller. */
export class ConversationError extends AppError {
  constructor(
    code: "not_found" | "conflict" | "unavailable" | "rate_limited" | "forbidden",
    message: string,
  ) {
    super(code, message);
  }
}

type Caller = { tenantId: string; conversationId: string };

/**
 * One conversation as stored in its object: meta, engine state and pinned routes, loaded once, and
 * the small changes every operation is made of (a message, an event, a status, a timer). Each change
 * is written to the object's SQLite and, where Postgres keeps a copy, queued in the outbox.
 */
export class ConversationCore {
  private meta: Meta | undefined;
  private state: ConversationState | undefined;
  private snapshot: RoutesSnapshot | undefined;
  /** The alarm this instance last set (unknown after a restart), to skip rewriting the same time. */
  private alarmAt: number | undefined;

  constructor(
    readonly store: ConversationStore,
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
  ) {}

  /** Drops what is held in memory, as a restart would (tests). */
  forget(): void {
    this.meta = undefined;
    this.state = undefined;
    this.snapshot = undefined;
  }

  /** A new conversation's first stored parts. */
  begin(meta: Meta, snapshot: RoutesSnapshot): void {
    this.snapshot = snapshot;
    this.store.put("snapshot", snapshot);
    this.putState(initialState(String(snapshot.version)));
    this.meta = meta;
  }

  loadMeta(): Meta | undefined {
    this.meta ??= this.store.get<Meta>("meta");
    return this.meta;
  }

  loadMetaOrThrow(): Meta {
    const meta = this.loadMeta();
    if (!meta) throw new ConversationError("not_found", "conversation not found");
    return meta;
  }

  loadState(): ConversationState {
    this.state ??= ConversationStateSchema.parse(this.store.get("state") ?? initialState());
    return this.state;
  }

  putState(state: ConversationState): void {
    this.state = state;
    this.store.put("state", state);
  }

  loadSnapshot(): RoutesSnapshot {
    this.snapshot ??= withCurrentModel(this.store.get<RoutesSnapshot>("snapshot") ?? emptySnapshot());
    return this.snapshot;
  }

  /** The conversation, if it is the caller's. The object's name already includes the tenant; this keeps it true if naming ever changes. */
  requireMeta(input: Caller): Meta {
    const meta = this.loadMetaOrThrow();
    if (meta.tenantId !== input.tenantId || meta.id !== input.conversationId)
      throw new ConversationError("not_found", "conversation not found");
    return meta;
  }

  /** The conversation, if it is the caller's and the caller is its visitor. */
  requireVisitor(input: Caller & { visitorId: string }): Meta {
    const meta = this.requireMeta(input);
    if (meta.visitorId !== input.visitorId)
      throw new ConversationError("not_found", "conversation not found");
    return meta;
  }

  append(sender: Sender, authorId: string | null, text: string, data?: Record<string, unknown>): MessageView {
    const meta = this.loadMetaOrThrow();
    const m = this.store.append({ sender, authorId, text, data });
    if (sender !== "note" && sender !== "system") {
      meta.lastMessage = text;
      meta.lastMessageAt = m.createdAt;
    }
    if (sender === "visitor") meta.lastInboundAt = m.createdAt;
    this.store.enqueue("pg", { t: "message", row: { ...m, conversationId: meta.id } } satisfies PgItem);
    // A channel plugin's conversation: the customer reads replies there, so each goes out through it.
    if (meta.thread && (sender === "bot" || sender === "agent"))
      this.store.enqueue("send", {
        installId: meta.thread.installId,
        message: {
          conversationId: meta.id,
          threadId: meta.thread.threadId,
          messageId: m.id,
          sender,
          text,
          quickReplies: Array.isArray(data?.quickReplies) ? data.quickReplies.map(String) : [],
          lastInboundAt: meta.lastInboundAt ?? null,
          // The thread's latest data is read when the reply goes out (plugins/channel-send.ts).
          threadData: {},
        },
        seq: m.seq,
      } satisfies ChannelSend);
    this.broadcast({ type: "message", message: m });
    return m;
  }

  /** A channel's word on a reply (sent, failed): kept on the message, shown to agents, copied to Postgres. */
  markDelivery(seq: number, delivery: Record<string, unknown>): void {
    const meta = this.loadMetaOrThrow();
    const m = this.store.patchMessageData(seq, { delivery });
    if (!m) return;
    this.store.enqueue("pg", { t: "message", row: { ...m, conversationId: meta.id } } satisfies PgItem);
    this.broadcast({ type: "message", message: m });
  }

  /** A reply of the bot's, with what the widget needs to show it (quick replies, sources). */
  botReply(reply: Reply): MessageView {
    const data: Record<string, unknown> = { kind: reply.kind };
    if (reply.quickReplies) data.quickReplies = reply.quickReplies;
    if (reply.routeId) data.routeId = reply.routeId;
    if (reply.stepId) data.stepId = reply.stepId;
    if (reply.citations) data.citations = reply.citations;
    if (reply.sources) data.sources = reply.sources;
    const m = this.append("bot", null, reply.text, data);
    this.messageSent("bot", null);
    return m;
  }

  /** Counts a reply to the visitor, with how long the visitor had waited for it. */
  messageSent(sender: "bot" | "agent", agentId: string | null): void {
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

  setStatus(status: Status): void {
    this.loadMetaOrThrow().status = status;
    this.broadcast({ type: "status", conversation: this.view() });
  }

  /** Persists meta and queues its copy for Postgres (revision orders the copies). */
  saveMeta(): void {
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

  event(body: Parameters<typeof conversationEvent>[2]): void {
    const meta = this.loadMetaOrThrow();
    const e: AppEvent = conversationEvent(meta.tenantId, meta.id, body);
    this.store.enqueue("event", e);
  }

  /** Unanswered questions reach Postgres through the outbox, for the admin list (knowledge/unanswered.ts). */
  recordUnanswered(messageId: string | undefined, question: string): void {
    const meta = this.loadMetaOrThrow();
    this.store.enqueue("pg", {
      t: "knowledge_unanswered",
      id: messageId ?? crypto.randomUUID(),
      conversationId: meta.id,
      question: question.slice(0, 500),
      askedAt: new Date().toISOString(),
    } satisfies PgItem);
  }

  broadcast(frame: ServerFrame): void {
    broadcast(this.ctx, frame);
  }

  setTimer(key: keyof Timers, at: number | undefined): void {
    setTimer(this.store, key, at);
  }

  touchInactivity(): void {
    this.setTimer("inactivityAt", Date.now() + conversationConfig(this.env).inactivityMs);
  }

  /** The alarm has fired: the next change sets the next one. */
  alarmFired(): void {
    this.alarmAt = undefined;
  }

  /**
   * One alarm for the earliest of the timers and the next outbox delivery (timers.ts). It is set in
   * the same step as the change, so the output gate holds the reply until it is durable and an
   * evicted object still wakes up to deliver; outbox rows are coalesced (DRAIN_COALESCE_MS), so a
   * busy conversation costs one database transaction per burst.
   */
  scheduleAlarm(): void {
    const at = nextAlarmAt(this.store);
    if (at === undefined || at === this.alarmAt) return;
    this.alarmAt = at;
    // Not awaited: the write is queued at once and the output gate makes the reply wait for it.
    this.ctx.storage.setAlarm(at).catch((error) => {
      this.alarmAt = undefined;
      createLogger({ conversation: this.meta?.id }).warn("setAlarm failed", { error: String(error) });
    });
  }

  visitorActor(): Actor {
    return { type: "visitor", id: this.loadMeta()?.visitorId ?? null };
  }

  view(): ConversationView {
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
