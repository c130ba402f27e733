import { createContext, useContext } from "react";

// Dates and amounts the workspace's way: its language and its time zone (Settings → Workspace), the
// same on every screen and on the server and in the browser (explicit locale and zone, so hydration
// sees the same text). The app layout provides them; screens read them with useFormats().

export type Formats = {
  locale: string;
  timeZone: string;
  /** A moment: "3 Jul, 14:05" in the workspace's zone. */
  when(iso: string | null | undefined): string;
  /** A day: "3 Jul 2026". */
  day(iso: string | null | undefined): string;
  money(amount: number, currency: string): string;
};

// Building an Intl formatter costs about a millisecond (more for a new locale); a report renders
// hundreds of amounts, so each formatter is built once per isolate and kept.
const byLocaleAndZone = new Map<string, Formats>();
const moneyFormats = new Map<string, Intl.NumberFormat | null>();

function moneyFormat(locale: string, currency: string): Intl.NumberFormat | null {
  const key = `${locale}|${currency}`;
  let format = moneyFormats.get(key);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(locale, { style: "currency", currency, maximumFractionDigits: 0 });
    } catch {
      format = null;
    }
    if (moneyFormats.size > 500) moneyFormats.clear();
    moneyFormats.set(key, format);
  }
  return format;
}

export function formatsFor(locale: string, timeZone: string): Formats {
  const key = `${locale}|${timeZone}`;
  let formats = byLocaleAndZone.get(key);
  if (!formats) {
    formats = buildFormats(locale, timeZone);
    if (byLocaleAndZone.size > 200) byLocaleAndZone.clear();
    byLocaleAndZone.set(key, formats);
  }
  return formats;
}

function buildFormats(locale: string, timeZone: string): Formats {
  // An unknown zone or language (set through the API long ago) must not break every screen.
  const dates = (options: Intl.DateTimeFormatOptions) => {
    try {
      return new Intl.DateTimeFormat(locale, { ...options, timeZone });
    } catch {
      return new Intl.DateTimeFormat("en-GB", { ...options, timeZone: "UTC" });
    }
  };
  const moment = dates({ day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" });
  const date = dates({ day: "numeric", month: "short", year: "numeric" });
  return {
    locale,
    timeZone,
    when: (iso) => (iso ? moment.format(new Date(iso)) : "—"),
    day: (iso) => (iso ? date.format(new Date(iso)) : "—"),
    money: (amount, currency) => moneyFormat(locale, currency)?.format(amount) ?? `${amount} ${currency}`,
  };
}

export const FormatsContext = createContext<Formats>(formatsFor("en", "UTC"));

export const useFormats = (): Formats => useContext(FormatsContext);
