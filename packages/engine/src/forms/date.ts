// Dates, absolute and relative ("tomorrow", "next Tuesday", "in 3 days", "end of next month"), resolved in
// the tenant's time zone: "tomorrow" at 23:30 UTC is a different day in Tokyo. Values are ISO dates.
import { TZDate } from "@date-fns/tz";
import {
  addDays,
  addMonths,
  addWeeks,
  addYears,
  endOfMonth,
  endOfWeek,
  endOfYear,
  format,
  nextDay,
  startOfMonth,
  startOfWeek,
  startOfYear,
} from "date-fns";
import { parseNumberWords } from "./numberWords.js";
import { type ExtractContext, type Extraction, fail } from "./types.js";

type Day = 0 | 1 | 2 | 3 | 4 | 5 | 6;
const WEEKDAYS = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const MONTH =
  "(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";
const WEEK_OPTS = { weekStartsOn: 1 } as const;

const iso = (d: Date): string => format(d, "yyyy-MM-dd");

/** Today's midnight in the tenant's zone. */
export function tenantToday(ctx: Pick<ExtractContext, "now" | "timeZone">): TZDate {
  const t = new TZDate(ctx.now.getTime(), ctx.timeZone);
  return new TZDate(t.getFullYear(), t.getMonth(), t.getDate(), ctx.timeZone);
}

/** A calendar date, or null when day/month overflow (31 February). */
function calendar(y: number, m: number, d: number, tz: string): TZDate | null {
  const date = new TZDate(y, m, d, tz);
  return date.getFullYear() === y && date.getMonth() === m && date.getDate() === d ? date : null;
}

function amount(raw: string): number | null {
  return /^\d+$/.test(raw) ? Number(raw) : parseNumberWords(raw);
}

function relative(t: string, today: TZDate): Date | null {
  if (/\b(day after tomorrow)\b/.test(t)) return addDays(today, 2);
  if (/\b(today|tonight|this evening)\b/.test(t)) return today;
  if (/\btomorrow\b|\btmrw?\b/.test(t)) return addDays(today, 1);
  if (/\byesterday\b/.test(t)) return addDays(today, -1);
  const edge = t.match(/\b(end|start|beginning) of (?:the )?(this |next |last )?(week|month|year)\b/);
  if (edge) {
    const shift = edge[2]?.trim() === "next" ? 1 : edge[2]?.trim() === "last" ? -1 : 0;
    const unit = edge[3];
    const end = edge[1] === "end";
    if (unit === "week") {
      const d = addWeeks(today, shift);
      return end ? endOfWeek(d, WEEK_OPTS) : startOfWeek(d, WEEK_OPTS);
    }
    if (unit === "month") {
      const d = addMonths(today, shift);
      return end ? endOfMonth(d) : startOfMonth(d);
    }
    const d = addYears(today, shift);
    return end ? endOfYear(d) : startOfYear(d);
  }
  const span = t.match(
    /\bin (\w+(?:[ -]\w+)?) (day|week|month|year)s?\b|\b(\w+(?:[ -]\w+)?) (day|week|month|year)s? (?:from now|from today|later)\b/,
  );
  if (span) {
    const n = amount((span[1] ?? span[3]) as string);
    const unit = (span[2] ?? span[4]) as string;
    if (n === null) return null;
    return unit === "day"
      ? addDays(today, n)
      : unit === "week"
        ? addWeeks(today, n)
        : unit === "month"
          ? addMonths(today, n)
          : addYears(today, n);
  }
  if (/\bnext week\b/.test(t)) return startOfWeek(addWeeks(today, 1), WEEK_OPTS);
  if (/\bnext month\b/.test(t)) return startOfMonth(addMonths(today, 1));
  if (/\bnext year\b/.test(t)) return startOfYear(addYears(today, 1));
  const wd = t.match(
    /\b(sunday|monday|tuesday|wednesday|thursday|friday|saturday|sun|mon|tues?|wed|thu(?:rs?)?|fri|sat)\b/,
  );
  if (wd) {
    const idx = WEEKDAYS.findIndex((w) => w.startsWith((wd[1] as string).slice(0, 3))) as Day;
    // "next Tuesday" and "Tuesday" both mean the coming one; today's weekday means a week from today.
    return nextDay(today, idx);
  }
  return null;
}

function absolute(t: string, today: TZDate, order: "DMY" | "MDY", tz: string): Date | null | "invalid" {
  const isoM = t.match(/\b(\d{4})-(\d{1,2})-(\d{1,2})\b/);
  if (isoM) return calendar(Number(isoM[1]), Number(isoM[2]) - 1, Number(isoM[3]), tz) ?? "invalid";
  const num = t.match(/\b(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\b/);
  if (num) {
    const [a, b] = [Number(num[1]), Number(num[2])];
    let [d, m] = order === "MDY" ? [b, a] : [a, b];
    if (m > 12 && d <= 12) [d, m] = [m, d]; // unambiguous the other way round
    const y = num[3] ? (num[3].length === 2 ? 2000 + Number(num[3]) : Number(num[3])) : null;
    return withYear(d, m - 1, y, today, tz);
  }
  const dm = t.match(new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?(?: of)? ${MONTH}\\.?(?:,? (\\d{4}))?\\b`));
  const md = t.match(new RegExp(`\\b${MONTH}\\.? (\\d{1,2})(?:st|nd|rd|th)?(?:,? (\\d{4}))?\\b`));
  if (dm)
    return withYear(
      Number(dm[1]),
      MONTHS.indexOf((dm[2] as string).slice(0, 3)),
      dm[3] ? Number(dm[3]) : null,
      today,
      tz,
    );
  if (md)
    return withYear(
      Number(md[2]),
      MONTHS.indexOf((md[1] as string).slice(0, 3)),
      md[3] ? Number(md[3]) : null,
      today,
      tz,
    );
  return null;
}

/** Without a year, a date means its next occurrence (today included). */
function withYear(d: number, m: number, y: number | null, today: TZDate, tz: string): Date | "invalid" {
  if (y !== null) return calendar(y, m, d, tz) ?? "invalid";
  const thisYear = calendar(today.getFullYear(), m, d, tz);
  if (thisYear && thisYear >= today) return thisYear;
  return calendar(today.getFullYear() + 1, m, d, tz) ?? thisYear ?? "invalid";
}

export function extractDate(text: string, ctx: ExtractContext): Extraction<string> {
  const t = text.toLowerCase().replace(/\s+/g, " ").trim();
  if (!t) return fail("empty");
  const today = tenantToday(ctx);
  const order = ctx.dateOrder ?? (ctx.defaultCountry === "US" ? "MDY" : "DMY");
  const abs = absolute(t, today, order, ctx.timeZone);
  if (abs === "invalid") return fail("invalid");
  const d = abs ?? relative(t, today);
  return d ? { ok: true, value: iso(d) } : fail("not_found");
}

/** Resolves a validation bound ("today", "+30d", "-18y", ISO) to an ISO date. */
export function resolveDateBound(bound: string, ctx: Pick<ExtractContext, "now" | "timeZone">): string {
  const today = tenantToday(ctx);
  if (bound === "today") return iso(today);
  const m = bound.match(/^([+-]\d+)([dwmy])$/);
  if (!m) return bound;
  const n = Number(m[1]);
  const add = { d: addDays, w: addWeeks, m: addMonths, y: addYears }[m[2] as "d" | "w" | "m" | "y"];
  return iso(add(today, n));
}
