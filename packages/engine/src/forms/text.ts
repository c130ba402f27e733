// Free text: trimmed, whitespace collapsed, invisible characters stripped, length capped.
import { type Extraction, fail } from "./types.js";

export const MAX_TEXT_LENGTH = 2000;

/** Removes zero-width and bidi control characters that can hide content from a human reviewer. */
export function stripInvisible(text: string): string {
  return text.replace(/[\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "");
}

export function extractText(text: string): Extraction<string> {
  const t = stripInvisible(text).replace(/\s+/g, " ").trim().slice(0, MAX_TEXT_LENGTH);
  return t ? { ok: true, value: t } : fail("empty");
}
