// Tenant-configurable forbidden claims: phrases (whole words, any case) and regular expressions that
// a knowledge answer must never contain ("discount", "/\bfree\s+trial\b/"…). Checked per sentence, so
// one forbidden sentence is dropped and the rest of a grounded answer survives.

import { patternProblem, type TenantPattern, tenantPattern } from "../routes/pattern.js";

export type KnowledgePolicy = {
  forbiddenPhrases?: string[];
  /** Regular expressions, validated when saved (the API rejects ones that do not compile). */
  forbiddenPatterns?: string[];
};

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** A test for forbidden sentences; invalid patterns (only possible if a bad row bypassed the API) are skipped. */
export function forbiddenMatcher(policy: KnowledgePolicy | undefined): (sentence: string) => boolean {
  const tests: (RegExp | TenantPattern)[] = [];
  for (const phrase of policy?.forbiddenPhrases ?? []) {
    const p = phrase.trim();
    if (p) tests.push(new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(p)}(?=$|[^\\p{L}\\p{N}])`, "iu"));
  }
  for (const pattern of policy?.forbiddenPatterns ?? []) {
    const compiled = tenantPattern(pattern, "i"); // null is not reachable through the API
    if (compiled) tests.push(compiled);
  }
  return (sentence) => tests.some((t) => t.test(sentence));
}

/** Validates a pattern for the settings API: null when usable, else the reason. */
export function checkForbiddenPattern(pattern: string): string | null {
  return patternProblem(pattern, "iu");
}
