import { businessHours, type Database, type Tx, withTenant } from "@autopilot/db";
import type { BusinessHours } from "@autopilot/engine";
import { z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { audit } from "./audit.js";
import type { Principal } from "./principal.js";

// The tenant's business hours: weekly intervals in the tenant's time zone and closed dates. The engine
// decides with them (packages/engine/src/dialogue/businessHours.ts): out of hours a handoff asks for an
// email first, and routes may be limited to open or closed hours. Conversations read them when they
// start (conversations/start-config.ts), so a change applies to conversations that start afterwards.

export const WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"] as const;

const time = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, "must be a time HH:MM between 00:00 and 24:00")
  .openapi({ example: "09:00" });

const interval = z
  .object({ open: time, close: time.openapi({ example: "17:00" }) })
  .refine((i) => i.open < i.close, { path: ["close"], message: "must be after the opening time" });

// Intervals in order and apart, so the screen and the engine read the same hours.
const day = z
  .array(interval)
  .max(6)
  .superRefine((list, ctx) => {
    for (let i = 1; i < list.length; i++) {
      const before = list[i - 1];
      const current = list[i];
      if (before && current && current.open < before.close)
        ctx.addIssue({
          code: "custom",
          path: [i, "open"],
          message: `must be at or after the previous interval's closing time (${before.close})`,
        });
    }
  });

const weekly = z.strictObject(
  Object.fromEntries(WEEKDAYS.map((d) => [d, day.optional()])) as {
    [K in (typeof WEEKDAYS)[number]]: z.ZodOptional<typeof day>;
  },
);

export const businessHoursInput = z
  .object({
    /** Off: always open (the hours are kept). */
    enabled: z.boolean(),
    weekly: weekly.openapi({
      description:
        "Opening intervals per weekday (mon..sun) in the workspace's time zone; a missing day is closed",
      example: { mon: [{ open: "09:00", close: "17:00" }] },
    }),
    closedDates: z
      .array(z.iso.date("must be a date YYYY-MM-DD"))
      .max(366)
      .default([])
      .openapi({ description: "Dates closed all day (holidays)", example: ["2026-12-25"] }),
  })
  .openapi("BusinessHoursInput");
export type BusinessHoursInput = z.output<typeof businessHoursInput>;

export const businessHoursSchema = z
  .object({
    enabled: z.boolean(),
    weekly: z.record(z.enum(WEEKDAYS), z.array(z.object({ open: z.string(), close: z.string() }))),
    closedDates: z.array(z.string()),
    timeZone: z.string().openapi({ description: "The workspace's time zone, in which the hours are read" }),
    updatedAt: z.string().nullable(),
  })
  .openapi("BusinessHours");
export type BusinessHoursView = z.infer<typeof businessHoursSchema>;

export type BusinessHoursRow = typeof businessHours.$inferSelect;

export async function loadBusinessHours(tx: Tx, tenantId: string): Promise<BusinessHoursRow | null> {
  const [row] = await tx.select().from(businessHours).where(eq(businessHours.tenantId, tenantId));
  return row ?? null;
}

export function businessHoursOf(db: Database, tenantId: string): Promise<BusinessHoursRow | null> {
  return withTenant(db, tenantId, (tx) => loadBusinessHours(tx, tenantId));
}

/** What the engine gets: undefined (always open) when none are set or they are switched off. */
export function engineHours(
  row: Pick<BusinessHoursRow, "enabled" | "weekly" | "closedDates"> | null | undefined,
): BusinessHours | undefined {
  if (!row?.enabled) return undefined;
  return { weekly: row.weekly, closedDates: row.closedDates };
}

export function viewOf(row: BusinessHoursRow | null, timeZone: string): BusinessHoursView {
  return {
    enabled: row?.enabled ?? false,
    weekly: row?.weekly ?? {},
    closedDates: row?.closedDates ?? [],
    timeZone,
    updatedAt: row?.updatedAt.toISOString() ?? null,
  };
}

export async function saveBusinessHours(
  db: Database,
  p: Principal,
  input: BusinessHoursInput,
): Promise<BusinessHoursView> {
  // Days without intervals are dropped: stored and shown alike as closed.
  const weeklyHours = Object.fromEntries(
    WEEKDAYS.flatMap((d) => (input.weekly[d]?.length ? [[d, input.weekly[d]]] : [])),
  );
  const closedDates = [...new Set(input.closedDates)].sort();
  const values = { enabled: input.enabled, weekly: weeklyHours, closedDates, updatedAt: new Date() };
  const row = await withTenant(db, p.tenantId, async (tx) => {
    const [saved] = await tx
      .insert(businessHours)
      .values({ tenantId: p.tenantId, ...values })
      .onConflictDoUpdate({ target: businessHours.tenantId, set: values })
      .returning();
    await audit(
      tx,
      p,
      "business_hours.updated",
      { type: "tenant", id: p.tenantId },
      { enabled: input.enabled },
    );
    return saved ?? null;
  });
  return viewOf(row, p.timeZone);
}
