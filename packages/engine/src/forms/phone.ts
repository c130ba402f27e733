// Phone: E.164 via libphonenumber-js ("max" metadata so validity checks the number plan, not just length).
import { type CountryCode, findPhoneNumbersInText, parsePhoneNumberFromString } from "libphonenumber-js/max";
import { type Extraction, fail } from "./types.js";

export function extractPhone(text: string, defaultCountry?: CountryCode): Extraction<string> {
  if (!text.trim()) return fail("empty");
  // "00" is the international prefix in most of the world; libphonenumber only knows "+" without a country.
  const normalised = text.replace(/(^|[^\d])00\s?(?=[1-9][\d\s-]{6,})/g, "$1+");
  const found = findPhoneNumbersInText(normalised, defaultCountry ? { defaultCountry } : undefined);
  const valid = found.find((f) => f.number.isValid());
  if (valid) return { ok: true, value: valid.number.number };
  if (found.length > 0) return fail("invalid");
  // Digits present but not recognised as a number (e.g. too short): say invalid rather than not found.
  const digits = normalised.replace(/[^\d+]/g, "");
  if (digits.replace("+", "").length >= 4) {
    const p = parsePhoneNumberFromString(digits, defaultCountry);
    return p?.isValid() ? { ok: true, value: p.number } : fail("invalid");
  }
  return fail("not_found");
}
