import type { Env } from "../env.js";

// Platform staff: the marketplace's reviewers, outside every tenant. A self-hosted install names them
// in the PLATFORM_OPERATORS setting (comma-separated emails); a listed user is staff once their email
// is verified, so signing up with someone's address is not enough.

export function operatorEmails(env: Pick<Env, "PLATFORM_OPERATORS">): Set<string> {
  return new Set(
    (env.PLATFORM_OPERATORS ?? "")
      .split(",")
      .map((e) => e.trim().toLowerCase())
      .filter(Boolean),
  );
}

export function isOperator(
  env: Pick<Env, "PLATFORM_OPERATORS">,
  user: { email: string; emailVerified: boolean } | undefined,
): boolean {
  return !!user && user.emailVerified && operatorEmails(env).has(user.email.toLowerCase());
}
