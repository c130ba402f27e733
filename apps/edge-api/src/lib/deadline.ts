import { DatabaseUnavailableError } from "@autopilot/db";

/**
 * `work`, or a DatabaseUnavailableError once `ms` have passed: for database work that must not hold a
 * caller (a customer's turn, an alarm) when the server hangs instead of failing. The work itself is not
 * cancelled; whoever owns its connection leaves it to the runtime.
 */
export async function dbDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DatabaseUnavailableError(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

export const isDeadlineError = (error: unknown): boolean =>
  error instanceof DatabaseUnavailableError && /^database unavailable: no answer within/.test(error.message);
