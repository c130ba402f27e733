import type { MessageView, Sender } from "./protocol.js";
import { STORED } from "./stored.js";

// The Conversation DO's own SQLite: meta (one JSON value per key), the transcript and the outbox.
// Synchronous calls: the DO's output gate holds replies until these writes are durable.

/**
 * The tables' version. Objects created by older code carry an older one (or none: version 1); each
 * step in MIGRATIONS brings them one version further when they next wake, before anything is read.
 */
export const SCHEMA_VERSION = 1;
const MIGRATIONS: Record<number, (sql: SqlStorage) => void> = {
  // 2: (sql) => sql.exec("ALTER TABLE messages ADD COLUMN …"),
};

export type OutboxKind = "pg" | "event" | "action" | "send";
export type OutboxRow = { id: number; kind: OutboxKind; payload: string; attempts: number; next_at: number };

export class ConversationStore {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS messages (
      seq INTEGER PRIMARY KEY, id TEXT NOT NULL, sender TEXT NOT NULL, author_id TEXT,
      text TEXT NOT NULL, data TEXT NOT NULL, created_at TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS outbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, payload TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0, next_at INTEGER NOT NULL)`);
    // Outbox rows that can never be delivered (their destination refuses them as they are): kept for
    // support with the reason, out of the way of the rows behind them, never retried on their own.
    sql.exec(`CREATE TABLE IF NOT EXISTS parked (
      id INTEGER PRIMARY KEY, kind TEXT NOT NULL, payload TEXT NOT NULL, error TEXT NOT NULL,
      parked_at INTEGER NOT NULL)`);
    this.migrate();
  }

  private migrate(): void {
    const stored = this.get<number>("schemaVersion");
    const from = stored ?? 1;
    for (let v = from + 1; v <= SCHEMA_VERSION; v++) MIGRATIONS[v]?.(this.sql);
    if (stored !== SCHEMA_VERSION) this.put("schemaVersion", SCHEMA_VERSION);
  }

  get<T>(key: string): T | undefined {
    const row = this.sql.exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key).toArray()[0];
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  /** Writes a value; one under a key with a schema (stored.ts) is checked first, so a bad one is never written. */
  put(key: string, value: unknown): void {
    const schema = (STORED as Record<string, { parse(v: unknown): unknown }>)[key];
    schema?.parse(value);
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      key,
      JSON.stringify(value),
    );
  }

  delete(key: string): void {
    this.sql.exec("DELETE FROM meta WHERE key = ?", key);
  }

  /** Messages stored so far (seqs are 1, 2, 3… without gaps). */
  messageCount(): number {
    return this.sql.exec<{ seq: number | null }>("SELECT max(seq) AS seq FROM messages").one().seq ?? 0;
  }

  messageId(seq: number): string | undefined {
    return this.sql.exec<{ id: string }>("SELECT id FROM messages WHERE seq = ?", seq).toArray()[0]?.id;
  }

  append(m: {
    sender: Sender;
    authorId: string | null;
    text: string;
    data?: Record<string, unknown>;
  }): MessageView {
    const last = this.messageCount();
    const view: MessageView = {
      id: crypto.randomUUID(),
      seq: last + 1,
      sender: m.sender,
      authorId: m.authorId,
      text: m.text,
      data: m.data ?? {},
      createdAt: new Date().toISOString(),
    };
    this.sql.exec(
      "INSERT INTO messages (seq, id, sender, author_id, text, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      view.seq,
      view.id,
      view.sender,
      view.authorId,
      view.text,
      JSON.stringify(view.data),
      view.createdAt,
    );
    return view;
  }

  /** The seq of the visitor message the widget sent with `clientId`, if it arrived before. */
  seqOfClientMessage(clientId: string): number | undefined {
    return (
      this.sql
        .exec<{ seq: number }>(
          "SELECT seq FROM messages WHERE sender = 'visitor' AND json_extract(data, '$.clientId') = ? LIMIT 1",
          clientId,
        )
        .toArray()[0]?.seq ?? undefined
    );
  }

  messages(afterSeq: number, limit: number): MessageView[] {
    return this.sql
      .exec<{
        seq: number;
        id: string;
        sender: Sender;
        author_id: string | null;
        text: string;
        data: string;
        created_at: string;
      }>("SELECT * FROM messages WHERE seq > ? ORDER BY seq LIMIT ?", afterSeq, limit)
      .toArray()
      .map((r) => ({
        id: r.id,
        seq: r.seq,
        sender: r.sender,
        authorId: r.author_id,
        text: r.text,
        data: JSON.parse(r.data) as Record<string, unknown>,
        createdAt: r.created_at,
      }));
  }

  enqueue(kind: OutboxKind, payload: unknown): void {
    this.sql.exec(
      "INSERT INTO outbox (kind, payload, next_at) VALUES (?, ?, ?)",
      kind,
      JSON.stringify(payload),
      Date.now(),
    );
  }

  due(kind: OutboxKind, now: number, limit: number): OutboxRow[] {
    return this.sql
      .exec<OutboxRow>(
        "SELECT * FROM outbox WHERE kind = ? AND next_at <= ? ORDER BY id LIMIT ?",
        kind,
        now,
        limit,
      )
      .toArray();
  }

  acknowledge(ids: number[]): void {
    for (const id of ids) this.sql.exec("DELETE FROM outbox WHERE id = ?", id);
  }

  /** Exponential backoff with full jitter, capped at a minute. */
  retryLater(ids: number[], now: number): void {
    for (const id of ids) {
      const row = this.sql
        .exec<{ attempts: number }>("SELECT attempts FROM outbox WHERE id = ?", id)
        .toArray()[0];
      const attempts = (row?.attempts ?? 0) + 1;
      const delay = Math.min(60_000, 500 * 2 ** Math.min(attempts, 7)) * (0.5 + Math.random() / 2);
      this.sql.exec("UPDATE outbox SET attempts = ?, next_at = ? WHERE id = ?", attempts, now + delay, id);
    }
  }

  /**
   * Earliest delivery the alarm must make; of the actions and the channel sends only the first of
   * each counts (they go in order).
   */
  nextOutboxAt(): number | null {
    return (
      this.sql
        .exec<{ at: number | null }>(
          `SELECT min(next_at) AS at FROM outbox
           WHERE kind NOT IN ('action', 'send')
              OR id = (SELECT min(id) FROM outbox WHERE kind = 'action')
              OR id = (SELECT min(id) FROM outbox WHERE kind = 'send')`,
        )
        .one().at ?? null
    );
  }

  /** The oldest waiting row of a kind that goes in order (actions, channel sends). */
  first(kind: "action" | "send"): OutboxRow | undefined {
    return this.sql
      .exec<OutboxRow>("SELECT * FROM outbox WHERE kind = ? ORDER BY id LIMIT 1", kind)
      .toArray()[0];
  }

  /** Tries a row again at `at` (a provider said when), counting the attempt. */
  retryAt(id: number, at: number): void {
    this.sql.exec("UPDATE outbox SET attempts = attempts + 1, next_at = ? WHERE id = ?", at, id);
  }

  /** The message stored under `seq`, if any. */
  message(seq: number): MessageView | undefined {
    return this.messages(seq - 1, 1).find((m) => m.seq === seq);
  }

  /** Merges `patch` into a stored message's data (a channel's delivery state); the message as it is now. */
  patchMessageData(seq: number, patch: Record<string, unknown>): MessageView | undefined {
    const m = this.message(seq);
    if (!m) return undefined;
    const data = { ...m.data, ...patch };
    this.sql.exec("UPDATE messages SET data = ? WHERE seq = ?", JSON.stringify(data), seq);
    return { ...m, data };
  }

  /** Sets an undeliverable row aside with the reason. */
  park(id: number, error: string, now = Date.now()): void {
    this.sql.exec(
      `INSERT INTO parked (id, kind, payload, error, parked_at)
       SELECT id, kind, payload, ?, ? FROM outbox WHERE id = ?`,
      error.slice(0, 1000),
      now,
      id,
    );
    this.sql.exec("DELETE FROM outbox WHERE id = ?", id);
  }

  parked(): { id: number; kind: OutboxKind; error: string; parkedAt: number }[] {
    return this.sql
      .exec<{ id: number; kind: OutboxKind; error: string; parked_at: number }>(
        "SELECT id, kind, error, parked_at FROM parked ORDER BY id",
      )
      .toArray()
      .map((r) => ({ id: r.id, kind: r.kind, error: r.error, parkedAt: r.parked_at }));
  }

  pending(): { kind: OutboxKind; count: number }[] {
    return this.sql
      .exec<{ kind: OutboxKind; count: number }>("SELECT kind, count(*) AS count FROM outbox GROUP BY kind")
      .toArray();
  }
}
