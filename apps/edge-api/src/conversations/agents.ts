import { type ConversationCore, ConversationError } from "./core.js";
import type { ConversationView, TurnResult } from "./protocol.js";

// The people's side of a conversation: an agent takes it over, writes, hands it back to the
// assistant, or it closes. Each function changes the conversation in the caller's turn (serial).

/** An agent's reply or internal note. Replying takes the conversation over: the bot must not talk over a human. */
export function agentMessage(
  core: ConversationCore,
  agentId: string,
  text: string,
  kind: "agent" | "note",
): TurnResult {
  const meta = core.loadMetaOrThrow();
  if (meta.status === "closed") throw new ConversationError("conflict", "conversation is closed");
  if (kind === "agent" && (meta.status !== "human" || meta.assigneeId !== agentId)) assignTo(core, agentId);
  const m = core.append(kind, agentId, text);
  if (kind === "agent") core.messageSent("agent", agentId);
  core.touchInactivity();
  core.saveMeta();
  core.scheduleAlarm();
  return { conversation: core.view(), messages: [m] };
}

export function assignTo(core: ConversationCore, agentId: string): void {
  const meta = core.loadMetaOrThrow();
  if (meta.status === "closed") throw new ConversationError("conflict", "conversation is closed");
  const waitSeconds = meta.handoffAt ? (Date.now() - Date.parse(meta.handoffAt)) / 1000 : 0;
  const state = core.loadState();
  // The engine treats a requested handoff as "a human owns it" and ignores turns until handed back.
  core.putState({
    ...state,
    active: null,
    handoff: state.handoff ?? {
      status: "requested",
      reason: "agent_takeover",
      outOfHours: false,
      emailAttempts: 0,
    },
  });
  meta.assigneeId = agentId;
  core.setStatus("human");
  core.setTimer("slaAt", undefined);
  core.event({
    type: "handoff.accepted",
    actor: { type: "user", id: agentId },
    properties: { agentId, waitSeconds: Math.max(0, waitSeconds) },
  });
  core.append("system", agentId, "An agent joined the conversation.");
  core.saveMeta();
}

/** The assistant answers again, starting afresh: no handoff, no frustration carried over. */
export function handBack(core: ConversationCore): ConversationView {
  const meta = core.loadMetaOrThrow();
  if (meta.status === "closed") throw new ConversationError("conflict", "conversation is closed");
  core.putState({
    ...core.loadState(),
    handoff: null,
    turnsWithoutProgress: 0,
    frustration: 0,
    lowConfidenceCount: 0,
  });
  meta.assigneeId = null;
  meta.handoffAt = null;
  core.setStatus("bot");
  core.append("system", null, "The assistant is back in the conversation.");
  core.setTimer("slaAt", undefined);
  core.saveMeta();
  core.scheduleAlarm();
  return core.view();
}

/** Closes (once) and asks the visitor for a rating. */
export function closeNow(
  core: ConversationCore,
  by: "agent" | "visitor" | "inactive",
  agentId: string | null,
): ConversationView {
  const meta = core.loadMetaOrThrow();
  if (meta.status === "closed") return core.view();
  meta.closedAt = new Date().toISOString();
  core.setStatus("closed");
  core.append("bot", null, "This conversation is closed. How would you rate it, from 1 to 5?", {
    kind: "csat_request",
    quickReplies: ["1", "2", "3", "4", "5"],
  });
  core.event({
    type: "conversation.closed",
    actor: agentId ? { type: "user", id: agentId } : { type: "system", id: null },
    properties: {
      reason: by,
      durationSeconds: Math.max(0, (Date.now() - Date.parse(meta.createdAt)) / 1000),
      agentId: meta.assigneeId,
    },
  });
  core.setTimer("inactivityAt", undefined);
  core.setTimer("slaAt", undefined);
  core.saveMeta();
  core.scheduleAlarm();
  return core.view();
}

/** The visitor's rating of a closed conversation, once. */
export function rate(core: ConversationCore, score: number, comment: string | undefined): ConversationView {
  const meta = core.loadMetaOrThrow();
  if (meta.status !== "closed")
    throw new ConversationError("conflict", "rate the conversation after it closes");
  if (meta.csatScore !== null) throw new ConversationError("conflict", "already rated");
  meta.csatScore = score;
  meta.csatComment = comment?.trim() || null;
  core.event({
    type: "csat.recorded",
    actor: core.visitorActor(),
    properties: { score, agentId: meta.assigneeId, comment },
  });
  core.saveMeta();
  core.scheduleAlarm();
  return core.view();
}
