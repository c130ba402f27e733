// Text hygiene shared by extraction and chunking.

// Zero-width and bidi controls, soft hyphen, word joiners, BOM, Unicode "tag" characters and
// variation selectors: invisible to a reader, so they can only smuggle instructions or split words
// to dodge search and dedupe. C0/C1 controls other than tab and newline go too.
// Built from a string so the control ranges are explicit (a regex literal with them trips the linter).
const INVISIBLE = new RegExp(
  [
    "[\\u00AD\\u180E\\u200B-\\u200F\\u202A-\\u202E\\u2060-\\u2064\\u2066-\\u206F\\uFEFF\\uFE00-\\uFE0F]",
    "[\\u0000-\\u0008\\u000B-\\u001F\\u007F-\\u009F]",
    "[\\u{E0000}-\\u{E007F}]",
  ].join("|"),
  "gu",
);

export const stripInvisible = (s: string) => s.replace(INVISIBLE, "");

const NAMED: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  nbsp: " ",
  ndash: "–",
  mdash: "—",
  hellip: "…",
  rsquo: "’",
  lsquo: "‘",
  rdquo: "”",
  ldquo: "“",
  copy: "©",
  reg: "®",
  trade: "™",
  euro: "€",
  pound: "£",
};

/** HTMLRewriter hands text chunks over undecoded; enough of HTML's entities for prose. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body[0] === "#") {
      const code =
        body[1] === "x" || body[1] === "X" ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
      return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : "";
    }
    return NAMED[body.toLowerCase()] ?? whole;
  });
}

/** Collapses runs of spaces; keeps paragraph breaks (blank lines) because chunking splits on them. */
export function tidy(s: string): string {
  return s
    .replace(/[ \t\f\r\u00A0]+/g, " ")
    .replace(/ *\n */g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
