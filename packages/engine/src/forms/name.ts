// Names: "I'm Jane Doe", "my name is jane", "this is Dr. Jane van Doe", or just "Jane Doe".
import { type Extraction, fail, type PersonName } from "./types.js";

const CUE = /\b(?:my name is|my name's|name is|i am|i'm|im|this is|it's|it is|call me|name's)\s+(.+)$/i;
const TITLES = /^(mr|mrs|ms|miss|dr|prof|sir|madam)\.?$/i;
const PARTICLES = new Set(["van", "von", "de", "der", "da", "di", "la", "le", "del", "bin", "al"]);
const NOT_NAMES = new Set([
  "yes",
  "no",
  "ok",
  "okay",
  "hi",
  "hello",
  "hey",
  "thanks",
  "sure",
  "skip",
  "none",
  "here",
  "fine",
  "good",
]);

function capitalise(w: string): string {
  if (PARTICLES.has(w.toLowerCase())) return w.toLowerCase();
  return w
    .split(/([-'])/)
    .map((p) =>
      p === "-" || p === "'" ? p : p.charAt(0).toLocaleUpperCase() + p.slice(1).toLocaleLowerCase(),
    )
    .join("");
}

export function extractName(text: string): Extraction<PersonName> {
  const raw = text.trim();
  if (!raw) return fail("empty");
  const cued = raw.match(CUE);
  let body = (cued ? (cued[1] as string) : raw)
    .replace(/\b(mr|mrs|ms|dr|prof)\.\s*/gi, "")
    .replace(/[.!,;]+$/, "")
    .replace(/\s+(here|speaking)$/i, "");
  // "Jane Doe, and I need a quote" → the name is before the clause break.
  body = (body.split(/[,;.!?]| and | but /)[0] ?? "").trim();
  const words = body.split(/\s+/).filter((w) => !TITLES.test(w));
  if (words.length === 0) return fail("not_found");
  if (words.length > (cued ? 5 : 4)) return fail("not_found");
  if (!words.every((w) => /^\p{L}[\p{L}'-]*$/u.test(w))) return fail("invalid");
  if (words.length === 1 && NOT_NAMES.has((words[0] as string).toLowerCase())) return fail("not_found");
  const parts = words.map(capitalise);
  const first = parts[0] as string;
  const last = parts.length > 1 ? parts.slice(1).join(" ") : null;
  return { ok: true, value: { first, last, full: parts.join(" ") } };
}
