export { isTransientDbError } from "@autopilot/db";

/** Queue retry delay: 2, 4, 8… seconds by attempt, capped at 5 minutes. */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.max(1, Math.min(attempts, 9)));
}
