import type { Database } from "@autopilot/db";
import { type AppEvent, eventSchema } from "@autopilot/sdk";
import type { Logger } from "../lib/log.js";
import { isTransientDbError, retryDelaySeconds } from "./errors.js";
import { type IngestResult, ingestEvents } from "./ingest.js";
import { type Rejection, setAside } from "./rejected.js";

/** The part of a Queue message the ingest uses (a real `Message`, or a stand-in in the benchmark). */
export type IngestMessage = {
  id: string;
  body: unknown;
  attempts: number;
  ack(): void;
  retry(options?: { delaySeconds?: number }): void;
};

/** Called after a tenant's events are committed, with only the rows actually inserted. */
export type AfterCommit = (tenantId: string, result: IngestResult) => Promise<void>;

export type IngestSummary = { inserted: number; duplicates: number; rejected: number; retried: number };

type Valid = { message: IngestMessage; event: AppEvent };
/** One tenant's valid messages of the batch. */
type Group = [tenantId: string, items: Valid[]];

/**
 * The consumer's ingest of one Queue batch: validate each message, group by tenant (a batch mixes
 * tenants), insert all of them in one transaction (ingest.ts), then ack.
 * - invalid message → set aside (events_rejected) and acked;
 * - the batch failing deterministically → each tenant's events in their own transaction, and where
 *   that fails each message alone; one failing alone is set aside, so one poison event never holds
 *   back the rest of its batch;
 * - a transient database error → message.retry with backoff; after max_retries the Queue moves the
 *   message to the dead-letter queue (see dead-letters.ts).
 */
export async function ingestMessages(
  db: Database,
  queue: string,
  messages: readonly IngestMessage[],
  log: Logger,
  afterCommit?: AfterCommit,
): Promise<IngestSummary> {
  const summary: IngestSummary = { inserted: 0, duplicates: 0, rejected: 0, retried: 0 };
  const rejections: { message: IngestMessage; rejection: Rejection }[] = [];
  const groups = new Map<string, Valid[]>();
  for (const message of messages) {
    const parsed = eventSchema.safeParse(message.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const reason = `invalid: ${issue ? `${issue.path.join(".") || "(body)"}: ${issue.message}` : "?"}`;
      rejections.push({ message, rejection: { messageId: message.id, body: message.body, reason } });
      continue;
    }
    const tenantId = parsed.data.tenantId.toLowerCase(); // as the database returns it
    const group = groups.get(tenantId) ?? [];
    group.push({ message, event: parsed.data });
    groups.set(tenantId, group);
  }

  const retry = (m: IngestMessage) => {
    summary.retried++;
    m.retry({ delaySeconds: retryDelaySeconds(m.attempts) });
  };

  // One transaction for the given groups; acks and live updates only after it committed.
  const commit = async (part: Group[]) => {
    const results = await ingestEvents(
      db,
      part.map(([tenantId, items]) => ({ tenantId, events: items.map((i) => i.event) })),
    );
    for (const [tenantId, items] of part) {
      const result = results.get(tenantId) ?? { inserted: [], timeZone: null };
      summary.inserted += result.inserted.length;
      summary.duplicates += items.length - result.inserted.length;
      for (const i of items) i.message.ack();
      if (afterCommit && result.inserted.length > 0) {
        await afterCommit(tenantId, result).catch((error) =>
          log.warn("live stats update failed", { tenantId, error: String(error) }),
        );
      }
    }
  };

  // A deterministic failure narrows down: the whole batch, then each tenant's events, then each
  // message alone (bounded by the batch size); one failing alone is set aside, so one poison event
  // never holds back the rest of its batch. A transient error retries what was being written.
  const retryAll = (part: Group[], error: unknown) => {
    log.warn("event ingest failed; retrying", { tenants: part.length, error: String(error) });
    for (const [, items] of part) for (const i of items) retry(i.message);
  };
  const ingest = async (part: Group[]): Promise<void> => {
    try {
      await commit(part);
    } catch (error) {
      if (isTransientDbError(error)) return retryAll(part, error);
      if (part.length > 1) {
        for (const group of part) await ingest([group]);
        return;
      }
      const [tenantId, items] = part[0] as Group;
      if (items.length > 1) {
        for (const item of items) await ingest([[tenantId, [item]]]);
        return;
      }
      for (const item of items)
        rejections.push({
          message: item.message,
          rejection: {
            messageId: item.message.id,
            body: item.message.body,
            reason: `failed alone: ${String(error)}`,
          },
        });
    }
  };
  if (groups.size > 0) await ingest([...groups]);

  if (rejections.length > 0) {
    try {
      await setAside(
        db,
        queue,
        rejections.map((r) => r.rejection),
      );
      for (const r of rejections) r.message.ack();
      summary.rejected += rejections.length;
      log.warn("events set aside", {
        count: rejections.length,
        reasons: rejections.map((r) => r.rejection.reason),
      });
    } catch (error) {
      // Nothing is dropped silently: if they cannot be set aside they go round again.
      log.error("could not set events aside; retrying them", { error: String(error) });
      for (const r of rejections) retry(r.message);
    }
  }
  return summary;
}
