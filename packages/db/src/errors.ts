export type PgErrorInfo = { code: string; detail?: string; constraint?: string; column?: string };

/** The Postgres error in `error` or its causes (drizzle wraps driver errors): code, detail, constraint. */
export function pgErrorInfo(error: unknown): PgErrorInfo | undefined {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    const { code, detail, constraint, column } = e as Record<string, unknown>;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code))
      return {
        code,
        detail: typeof detail === "string" ? detail : undefined,
        constraint: typeof constraint === "string" ? constraint : undefined,
        column: typeof column === "string" ? column : undefined,
      };
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** Postgres error code of `error` or of its cause. */
export const pgErrorCode = (error: unknown): string | undefined => pgErrorInfo(error)?.code;

export const isUniqueViolation = (error: unknown) => pgErrorCode(error) === "23505";

/**
 * The database could not be reached or is not serving (connection refused or lost, shutting down,
 * overloaded), as opposed to refusing a statement: the caller should come back later (503).
 */
export class DatabaseUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`database unavailable: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "DatabaseUnavailableError";
  }
}

/** SQLSTATE classes that mean "not now" rather than "not this": connection, resources, operator, system. */
const UNAVAILABLE_CLASSES = new Set(["08", "53", "57", "58"]);

/**
 * An error from the driver, as what it means: statements the database refused keep their SQLSTATE;
 * no SQLSTATE (a network failure) or an unavailable class becomes DatabaseUnavailableError.
 * Programming errors the driver raises before any round trip (TypeError, RangeError) pass through.
 */
export function classifyDriverError(error: unknown): unknown {
  if (error instanceof DatabaseUnavailableError) return error;
  if (error instanceof TypeError || error instanceof RangeError) return error;
  const code = pgErrorCode(error);
  if (code === undefined || UNAVAILABLE_CLASSES.has(code.slice(0, 2)))
    return new DatabaseUnavailableError(error);
  return error;
}

/**
 * Whether a failed statement is worth retrying as is. Deterministic failures (bad data, a constraint,
 * a tenant that no longer exists) fail the same way every time, so they are set aside instead; anything
 * else — connection loss, deadlock, serialization, overload, an error with no SQLSTATE (network) — is
 * transient.
 */
export function isTransientDbError(error: unknown): boolean {
  if (isDatabaseUnavailable(error)) return true;
  const code = pgErrorCode(error);
  if (!code) return true;
  return ["08", "40", "53", "55", "57", "58", "XX"].includes(code.slice(0, 2));
}

/** Whether `error` (or a cause of it) says the database is unavailable. */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === "object" && depth < 5; depth++) {
    if (e instanceof DatabaseUnavailableError) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
