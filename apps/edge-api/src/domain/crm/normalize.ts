import { type CountryCode, parsePhoneNumberFromString } from "libphonenumber-js/max";

/** The email dedupe key: trimmed and lower-cased. */
export const normalizeEmail = (email: string | null | undefined): string | null => {
  const e = email?.trim().toLowerCase();
  return e ? e : null;
};

/**
 * The phone dedupe key: E.164, or null when the number is not valid. Numbers without a "+" are read
 * in `defaultCountry` (the caller's, when known).
 */
export function normalizePhone(phone: string | null | undefined, defaultCountry?: string): string | null {
  const raw = phone?.trim();
  if (!raw) return null;
  const withPlus = raw.replace(/^00(?=[1-9])/, "+");
  const parsed = parsePhoneNumberFromString(withPlus, defaultCountry as CountryCode | undefined);
  return parsed?.isValid() ? parsed.number : null;
}
