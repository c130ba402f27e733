// Weekly opening hours in the tenant's time zone, with closed dates (holidays).
import { TZDate } from "@date-fns/tz";
import { format } from "date-fns";
import { z } from "zod";

const Time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/);
const Intervals = z.array(z.object({ open: Time, close: Time }));

export const BusinessHoursSchema = z.object({
  /** Keys mon..sun; a missing day is closed. Intervals may not cross midnight (split them). */
  weekly: z.object({
    mon: Intervals.optional(),
    tue: Intervals.optional(),
    wed: Intervals.optional(),
    thu: Intervals.optional(),
    fri: Intervals.optional(),
    sat: Intervals.optional(),
    sun: Intervals.optional(),
  }),
  /** ISO dates on which the business is closed all day. */
  closedDates: z.array(z.string().regex(/^\d{4}-\d{2}-\d{2}$/)).optional(),
});
export type BusinessHours = z.infer<typeof BusinessHoursSchema>;

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;

export function isWithinBusinessHours(
  now: Date,
  timeZone: string,
  hours: BusinessHours | undefined,
): boolean {
  if (!hours) return true;
  const local = new TZDate(now.getTime(), timeZone);
  if (hours.closedDates?.includes(format(local, "yyyy-MM-dd"))) return false;
  const hhmm = format(local, "HH:mm");
  const day = DAYS[local.getDay()] as (typeof DAYS)[number];
  return (hours.weekly[day] ?? []).some((i) => hhmm >= i.open && hhmm < i.close);
}
