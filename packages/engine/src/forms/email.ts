// Email: finds the address in a sentence ("my email is Foo@Bar.com.") and checks its shape.
import { type Extraction, fail } from "./types.js";

const CANDIDATE = /[^\s<>()[\]{},;:"']+@[^\s<>()[\]{},;:"']+/;
const LOCAL = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export function isValidEmail(email: string): boolean {
  const at = email.lastIndexOf("@");
  if (at <= 0 || email.length > 254) return false;
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).split(".");
  const tld = labels[labels.length - 1] ?? "";
  return (
    local.length <= 64 &&
    LOCAL.test(local) &&
    labels.length >= 2 &&
    labels.every((l) => LABEL.test(l)) &&
    /^[a-z]{2,63}$|^xn--[a-z0-9-]+$/.test(tld)
  );
}

/** Lower-cased so that contact dedupe matches regardless of how it was typed. */
export function extractEmail(text: string): Extraction<string> {
  if (!text.trim()) return fail("empty");
  const m = text.match(CANDIDATE);
  if (!m) return fail("not_found");
  const email = m[0]
    .replace(/^mailto:/i, "")
    .replace(/[.!?]+$/, "")
    .toLowerCase();
  return isValidEmail(email) ? { ok: true, value: email } : fail("invalid");
}
