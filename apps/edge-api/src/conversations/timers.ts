import type { ConversationStore } from "./store.js";
import type { Timers } from "./stored.js";

// A Durable Object has one alarm; a conversation needs several clocks: closing when inactive, the
// first-response SLA, answering again a turn that was cut off, and delivering its outbox. Each is a
// time in the stored `timers`; the alarm is set for the earliest, and handles whichever are due.

/**
 * Outbox copies wait this long after the oldest pending row, so a burst of turns reaches Postgres in
 * one transaction instead of one per turn: the DO answers from its own storage, Postgres is a copy.
 */
export const DRAIN_COALESCE_MS = 250;

export const readTimers = (store: ConversationStore): Timers => store.get<Timers>("timers") ?? {};

export function setTimer(store: ConversationStore, key: keyof Timers, at: number | undefined): void {
  const timers = readTimers(store);
  if (at === undefined) delete timers[key];
  else timers[key] = at;
  store.put("timers", timers);
}

/** When the alarm should next fire (the earliest timer or outbox delivery), if anything waits. */
export function nextAlarmAt(store: ConversationStore): number | undefined {
  const timers = readTimers(store);
  const outboxAt = store.nextOutboxAt();
  const candidates = [
    timers.inactivityAt,
    timers.slaAt,
    timers.turnAt,
    outboxAt === null ? undefined : outboxAt + DRAIN_COALESCE_MS,
  ].filter((t): t is number => typeof t === "number");
  return candidates.length ? Math.min(...candidates) : undefined;
}
