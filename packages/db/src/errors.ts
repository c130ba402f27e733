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
