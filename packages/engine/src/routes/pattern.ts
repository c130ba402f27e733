import safeRegex from "safe-regex2";

// Regular expressions a tenant writes (a field's pattern, a "matches" condition, a forbidden claim)
// run against text customers type, so one that backtracks catastrophically (`^(a+)+$`) could hang a
// turn. They are checked when saved: they must compile, stay short, and have no nested repetition
// (safe-regex2's star-height test). What the check cannot see (overlapping alternatives under one
// repetition) is bounded by the short texts they run on.

export const MAX_PATTERN_LENGTH = 300;

/** Why `pattern` may not be saved, or null when it may. */
export function patternProblem(pattern: string, flags = ""): string | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return `is longer than ${MAX_PATTERN_LENGTH} characters`;
  try {
    new RegExp(pattern, flags);
  } catch {
    return "is not a valid regular expression";
  }
  if (!safeRegex(pattern)) return "could take too long to match (a repetition inside a repetition)";
  return null;
}
