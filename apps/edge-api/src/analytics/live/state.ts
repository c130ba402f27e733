import type { InsertedEvent } from "../ingest.js";

// The live figures of one tenant, as a pure reducer over inserted events (the LiveStats object stores
// the state and pushes the figures). Only events the ingest actually inserted arrive here, so a
// redelivered event never counts twice.

export type LiveState = {
  timeZone: string;
  /** The tenant-local day the "today" figures are for (YYYY-MM-DD). */
  day: string;
  /** Open conversations → start time (ms); bounded, see prune. */
  active: Record<string, number>;
  /** Conversations waiting for a human → request time (ms). */
  waiting: Record<string, number>;
  /** Recently closed conversations, so a late `started` does not reopen one. */
  closed: Record<string, number>;
  leadsToday: number;
  /** Human first-response times today (seconds), one per conversation. */
  firstResponses: number[];
  responded: Record<string, true>;
  /** When events were last applied (ms; absent before the first batch). */
  lastEventAt?: number;
};

export type LiveFigures = {
  day: string;
  timeZone: string;
  activeConversations: number;
  waitingForHuman: number;
  leadsToday: number;
  medianFirstResponseSeconds: number | null;
  /** When the figures last changed (ms since the epoch; null: not since this object started). A page
   * that read its data after it needs no re-read on connecting. */
  lastEventAt: number | null;
};

const MAX_TRACKED = 50_000;
const STALE_MS = 7 * 24 * 3600 * 1000;

// Building an Intl.DateTimeFormat costs about a millisecond; one per time zone is kept.
const dayFormats = new Map<string, Intl.DateTimeFormat>();

export function localDay(time: Date | string, timeZone: string): string {
  let format = dayFormats.get(timeZone);
  if (!format) {
    // en-CA formats as YYYY-MM-DD.
    format = new Intl.DateTimeFormat("en-CA", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
    });
    dayFormats.set(timeZone, format);
  }
  return format.format(new Date(time));
}

export function emptyState(timeZone: string, now: Date): LiveState {
  return {
    timeZone,
    day: localDay(now, timeZone),
    active: {},
    waiting: {},
    closed: {},
    leadsToday: 0,
    firstResponses: [],
    responded: {},
  };
}

/** Starts a new "today" when the tenant-local day has turned (or the time zone changed). */
export function rollDay(state: LiveState, timeZone: string, now: Date): LiveState {
  const day = localDay(now, timeZone);
  if (day === state.day && timeZone === state.timeZone) return state;
  return { ...state, timeZone, day, leadsToday: 0, firstResponses: [], responded: {} };
}

export function applyEvents(
  state: LiveState,
  events: InsertedEvent[],
  timeZone: string,
  now: Date,
): LiveState {
  const s = rollDay(state, timeZone, now);
  const next: LiveState = {
    ...s,
    active: { ...s.active },
    waiting: { ...s.waiting },
    closed: { ...s.closed },
    firstResponses: [...s.firstResponses],
    responded: { ...s.responded },
  };
  const sorted = [...events].sort((a, b) => a.occurred_at.localeCompare(b.occurred_at));
  for (const e of sorted) {
    const at = Date.parse(e.occurred_at);
    const conv = e.conversation_id;
    const today = localDay(e.occurred_at, timeZone) === next.day;
    switch (e.type) {
      case "conversation.started":
        if (conv && !(conv in next.closed)) next.active[conv] = at;
        break;
      case "conversation.closed":
        if (conv) {
          delete next.active[conv];
          delete next.waiting[conv];
          next.closed[conv] = at;
        }
        break;
      case "handoff.requested":
        if (conv && !(conv in next.closed)) next.waiting[conv] = at;
        break;
      case "handoff.accepted":
        if (conv) delete next.waiting[conv];
        break;
      case "lead.created":
        if (today) next.leadsToday++;
        break;
      case "message.sent":
        // A person's first reply: the bot's instant answers would make every median 0 s.
        if (today && conv && e.detail === "agent" && e.value !== null && !next.responded[conv]) {
          next.responded[conv] = true;
          next.firstResponses.push(e.value);
        }
        break;
    }
  }
  if (events.length > 0) next.lastEventAt = now.getTime();
  return prune(next, now.getTime());
}

/** Bounds memory: forgets conversations idle for a week and keeps at most MAX_TRACKED of each kind. */
function prune(state: LiveState, nowMs: number): LiveState {
  const keep = (m: Record<string, number>) => {
    const entries = Object.entries(m).filter(([, t]) => nowMs - t < STALE_MS);
    // Sorting (to keep the most recent) is only needed past the cap.
    if (entries.length > MAX_TRACKED) entries.sort((a, b) => b[1] - a[1]);
    return Object.fromEntries(entries.slice(0, MAX_TRACKED));
  };
  return { ...state, active: keep(state.active), waiting: keep(state.waiting), closed: keep(state.closed) };
}

export function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

export function figuresOf(state: LiveState, now: Date): LiveFigures {
  const s = rollDay(state, state.timeZone, now);
  return {
    day: s.day,
    timeZone: s.timeZone,
    activeConversations: Object.keys(s.active).length,
    waitingForHuman: Object.keys(s.waiting).length,
    leadsToday: s.leadsToday,
    medianFirstResponseSeconds: median(s.firstResponses),
    lastEventAt: s.lastEventAt ?? null,
  };
}
