// What a customer wrote on top of a reply, without the history their mail program quoted below it
// (or above, in the rare top-quoting case the lines all start with ">"), and without their signature.

/** A line that starts the quoted history, in the forms the common mail programs write. */
const HISTORY_STARTS = [
  /^On\b.{0,200}\bwrote:?\s*$/i, // Gmail, Apple Mail, Thunderbird (English)
  /^Le\b.{0,200}\ba écrit\s*:?\s*$/i, // French
  /^Am\b.{0,200}\bschrieb\b.{0,100}:?\s*$/i, // German
  /^El\b.{0,200}\bescribió:?\s*$/i, // Spanish
  /^-{2,}\s*Original Message\s*-{2,}\s*$/i, // Outlook, older
  /^-{2,}\s*Forwarded message\s*-{2,}\s*$/i,
  /^_{20,}\s*$/, // Outlook's rule above its header block
  /^From:\s.+$/i, // Outlook's header block (its next lines are Sent:/To:/Subject:)
];

/** Lines that run on into the next (Gmail wraps a long "On … wrote:" over two lines). */
const joinWrapped = (lines: string[], i: number) => `${lines[i] ?? ""} ${lines[i + 1] ?? ""}`.trim();

function startsHistory(lines: string[], i: number): boolean {
  const line = (lines[i] ?? "").trim();
  if (!line) return false;
  if (/^From:\s/i.test(line)) {
    // Only an Outlook header block, not a sentence that starts with "From:".
    const next = lines.slice(i + 1, i + 5).join("\n");
    return /^(Sent|Date|To|Subject):/im.test(next);
  }
  return HISTORY_STARTS.some(
    (re) => re.test(line) || (/^On\b/i.test(line) && re.test(joinWrapped(lines, i))),
  );
}

/** The new text of a reply: quoted history and the signature (after "-- ") removed, blank edges trimmed. */
export function stripQuoted(text: string): string {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let end = lines.length;
  for (let i = 0; i < lines.length; i++) {
    if (startsHistory(lines, i)) {
      end = i;
      break;
    }
  }
  let kept = lines.slice(0, end);
  // The signature separator ("-- ") and what follows it.
  const signature = kept.findIndex((l) => l === "-- " || l === "--");
  if (signature > 0) kept = kept.slice(0, signature);
  // Quoted lines anywhere ("> …") are history too.
  kept = kept.filter((l) => !/^\s*>/.test(l));
  const result = kept.join("\n").trim();
  // A reply that is nothing but quote (a forward without a word): keep the whole so nothing is lost.
  return result || text.trim();
}
