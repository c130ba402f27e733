import { DatabaseUnavailableError } from "@autopilot/db";

/** Database work that ran past its deadline: an outage to its caller, told apart by its class. */
export class DbDeadlineError extends DatabaseUnavailableError {}

/**
 * `work`, or a DbDeadlineError (a DatabaseUnavailableError) once `ms` have passed: for database work that must not hold a
 * caller (a customer's turn, an alarm) when the server hangs instead of failing. The work itself is not
 * cancelled; whoever owns its connection leaves it to the runtime.
 */
export async function dbDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DbDeadlineError(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
