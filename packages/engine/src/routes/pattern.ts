import { RE2JS } from "re2js";

// Regular expressions a tenant writes (a field's pattern, a "matches" condition, a forbidden claim) run
// against text customers type. They run on RE2 (re2js), whose matching time is linear in the text
// whatever the pattern, so no pattern can hang a turn: `^(a+)+$` and `(a|a)*$` are as quick as any.
// RE2 has no lookaround and no backreferences (the features that cannot be matched in linear time);
// a pattern using them is refused when it is saved.

export const MAX_PATTERN_LENGTH = 300;

/** A compiled tenant pattern: `test` finds a match anywhere in the text, as RegExp.prototype.test does. */
export type TenantPattern = { test(text: string): boolean };

const compile = (pattern: string, ignoreCase: boolean) =>
  RE2JS.compile(pattern, ignoreCase ? RE2JS.CASE_INSENSITIVE : 0);

/** Why `pattern` may not be saved, or null when it may. `i` in flags: matched ignoring case. */
export function patternProblem(pattern: string, flags = ""): string | null {
  if (pattern.length > MAX_PATTERN_LENGTH) return `is longer than ${MAX_PATTERN_LENGTH} characters`;
  try {
    compile(pattern, flags.includes("i"));
    return null;
  } catch (error) {
    // Valid JavaScript that RE2 refuses: one of the features that cannot run in linear time.
    if (compilesInJs(pattern)) return "uses a feature patterns do not support (lookaround or backreferences)";
    const message = error instanceof Error ? error.message : String(error);
    const detail = message.replace(/^error parsing regexp: /, "").replace("`(?i)", "`");
    return `is not a valid regular expression (${detail})`;
  }
}

function compilesInJs(pattern: string): boolean {
  try {
    new RegExp(pattern, "u");
    return true;
  } catch {
    return false;
  }
}

/** The pattern compiled for matching, or null when it does not compile (saved before a check). */
export function tenantPattern(pattern: string, flags = ""): TenantPattern | null {
  try {
    const re = compile(pattern, flags.includes("i"));
    return { test: (text) => re.test(text) };
  } catch {
    return null;
  }
}
