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

export function formatsFor(locale: string, timeZone: string): Formats {
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
    money: (amount, currency) => {
      try {
        return new Intl.NumberFormat(locale, {
          style: "currency",
          currency,
          maximumFractionDigits: 0,
        }).format(amount);
      } catch {
        return `${amount} ${currency}`;
      }
    },
  };
}

export const FormatsContext = createContext<Formats>(formatsFor("en", "UTC"));

export const useFormats = (): Formats => useContext(FormatsContext);
