import type { AssignableLead, Candidate } from "./types.js";

/** The member's local weekday (0 = Sunday), date and minutes since midnight at `now`. */
// Building a DateTimeFormat costs far more than using one; members share a handful of zones.
const formats = new Map<string, Intl.DateTimeFormat>();
function formatFor(timeZone: string): Intl.DateTimeFormat {
  let f = formats.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      weekday: "short",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
    });
    if (formats.size > 500) formats.clear();
    formats.set(timeZone, f);
  }
  return f;
}

export function localTime(now: Date, timeZone: string): { day: number; date: string; minutes: number } {
  const parts = formatFor(timeZone).formatToParts(now);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  return {
    day: days.indexOf(get("weekday")),
    date: `${get("year")}-${get("month")}-${get("day")}`,
    minutes: Number(get("hour")) * 60 + Number(get("minute")),
  };
}

const toMinutes = (hhmm: string) => {
  const [h, m] = hhmm.split(":").map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
};

/** Why a member cannot take this lead now, or null when they can. */
export function unavailableReason(c: Candidate, lead: AssignableLead, now: Date): string | null {
  if (c.presence !== "online") return `presence is ${c.presence}`;
  if (c.capacity !== null && c.openLeads >= c.capacity) return `at capacity (${c.openLeads}/${c.capacity})`;
  if (c.outOfOffice.length > 0 || c.workingHours.length > 0) {
    const local = localTime(now, c.timeZone);
    if (c.outOfOffice.some((r) => r.from <= local.date && local.date <= r.to)) return "out of office";
    if (
      c.workingHours.length > 0 &&
      !c.workingHours.some(
        (h) => h.day === local.day && toMinutes(h.start) <= local.minutes && local.minutes < toMinutes(h.end),
      )
    ) {
      return "off hours";
    }
  }
  const lacks = (list: string[], value: string | null) =>
    value !== null && list.length > 0 && !list.some((v) => v.toLowerCase() === value.toLowerCase());
  if (lacks(c.languages, lead.language)) return `does not speak ${lead.language}`;
  if (lacks(c.territories, lead.territory)) return `does not cover ${lead.territory}`;
  if (lacks(c.skills, lead.product)) return `no skill for ${lead.product}`;
  return null;
}
