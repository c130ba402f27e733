// Free text: trimmed, whitespace collapsed, invisible characters stripped, length capped.
import { type Extraction, fail } from "./types.js";

export const MAX_TEXT_LENGTH = 2000;

/** Removes zero-width and bidi control characters that can hide content from a human reviewer. */
export function stripInvisible(text: string): string {
  let out = "";
  for (const ch of text) {
    const c = ch.codePointAt(0) as number;
    const control = (c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f;
    const invisible =
      (c >= 0x200b && c <= 0x200f) ||
      (c >= 0x202a && c <= 0x202e) ||
      (c >= 0x2060 && c <= 0x2069) ||
      c === 0xfeff;
    if (!control && !invisible) out += ch;
  }
  return out;
}

export function extractText(text: string): Extraction<string> {
  const t = stripInvisible(text).replace(/\s+/g, " ").trim().slice(0, MAX_TEXT_LENGTH);
  return t ? { ok: true, value: t } : fail("empty");
}
