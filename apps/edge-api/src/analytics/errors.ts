export { isTransientDbError } from "@autopilot/db";

/**
 * Queue retry delay: 2, 4, 8… seconds by attempt, capped at 15 minutes. With the queues' 100 retries
 * (wrangler.toml) a message waits out an outage of about a day before it becomes a dead letter, and
 * dead letters are replayed by the cron once the database answers (replay.ts): a database that is
 * down is an outage to wait out, not a poison message.
 */
export const MAX_RETRY_DELAY_SECONDS = 900;

export function retryDelaySeconds(attempts: number): number {
  return Math.min(MAX_RETRY_DELAY_SECONDS, 2 ** Math.max(1, Math.min(attempts, 10)));
}
