import { isWithinBusinessHours } from "@autopilot/engine";
import { useState } from "react";
import { Form } from "react-router";
import { Field, FormError, Submit } from "../components/form.js";
import { requireAdmin } from "../lib/admin.server.js";
import { api } from "../lib/api.server.js";
import type { components } from "../lib/api-schema.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import type { Route } from "./+types/settings-hours";

export const meta: Route.MetaFunction = () => [{ title: "Business hours · Settings · AutopilotCRM" }];

// Business hours: opening intervals per weekday and closed dates. Inputs are named by the API's JSON
// paths (weekly.mon.0.close, closedDates.1), so each refusal lands under the field it names.

type Weekly = components["schemas"]["BusinessHoursInput"]["weekly"];
type Interval = { open: string; close: string };
const DAYS = [
  ["mon", "Monday"],
  ["tue", "Tuesday"],
  ["wed", "Wednesday"],
  ["thu", "Thursday"],
  ["fri", "Friday"],
  ["sat", "Saturday"],
  ["sun", "Sunday"],
] as const;
type Day = (typeof DAYS)[number][0];
const MAX_INTERVALS = 6;

export async function loader({ request, context }: Route.LoaderArgs) {
  const [, { data, response }] = await Promise.all([
    requireAdmin(request, context),
    api(request, context).GET("/v1/settings/business-hours"),
  ]);
  if (!data) throw new Response("Could not load the business hours", { status: response.status });
  const hours = data.enabled ? { weekly: data.weekly, closedDates: data.closedDates } : undefined;
  return { hours: data, openNow: isWithinBusinessHours(new Date(), data.timeZone, hours) };
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const weekly: Weekly = {};
  for (const [day] of DAYS) {
    const list: Interval[] = [];
    for (let i = 0; i < MAX_INTERVALS && form.has(`weekly.${day}.${i}.open`); i++)
      list.push({
        open: text(form, `weekly.${day}.${i}.open`).trim(),
        close: text(form, `weekly.${day}.${i}.close`).trim(),
      });
    if (list.length) weekly[day] = list;
  }
  const closedDates: string[] = [];
  for (let i = 0; i < 366 && form.has(`closedDates.${i}`); i++)
    closedDates.push(text(form, `closedDates.${i}`));
  const { error } = await api(request, context).PUT("/v1/settings/business-hours", {
    body: { enabled: form.get("enabled") === "on", weekly, closedDates },
  });
  // The fields this form shows: every input it sent, plus the checkbox.
  if (error) return { errors: formErrors(error, ["enabled", ...form.keys()]) };
  return { saved: true };
}

const DEFAULT_INTERVAL: Interval = { open: "09:00", close: "17:00" };

export default function BusinessHours({ loaderData, actionData }: Route.ComponentProps) {
  const { hours, openNow } = loaderData;
  const errors: FormErrors | undefined = actionData && "errors" in actionData ? actionData.errors : undefined;
  const [enabled, setEnabled] = useState(hours.enabled);
  const [weekly, setWeekly] = useState<Record<Day, Interval[]>>(
    () => Object.fromEntries(DAYS.map(([d]) => [d, hours.weekly[d] ?? []])) as Record<Day, Interval[]>,
  );
  const [dates, setDates] = useState<string[]>(hours.closedDates);
  const setDay = (day: Day, list: Interval[]) => setWeekly((w) => ({ ...w, [day]: list }));
  return (
    <section className="card" aria-labelledby="hours-title">
      <h2 id="hours-title">Business hours</h2>
      <p className="muted small">
        Out of hours, a visitor who asks for a person is asked for an email first and promised a follow-up;
        routes can be limited to open or closed hours. Times are in <strong>{hours.timeZone}</strong>, the
        workspace's time zone. Conversations that start after saving use the new hours.
      </p>
      <p className="small" role="status" data-hours-now="">
        {hours.enabled ? (openNow ? "Open now." : "Closed now.") : "Not in use: always open."}
      </p>
      <Form method="post" noValidate id="hours-form">
        <FormError errors={errors} />
        <label className="check-inline">
          <input
            type="checkbox"
            name="enabled"
            checked={enabled}
            onChange={(e) => setEnabled(e.currentTarget.checked)}
          />{" "}
          Use business hours
        </label>
        <p className="hint">Off: the team counts as always available (the hours below are kept).</p>
        <ul className="hours-days">
          {DAYS.map(([day, label]) => {
            const list = weekly[day];
            return (
              <li key={day}>
                <fieldset className="hours-day">
                  <legend>{label}</legend>
                  {list.length === 0 ? <p className="muted small hours-closed">Closed</p> : null}
                  {list.map((interval, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: an interval is its position in the day.
                    <div className="hours-interval" key={i}>
                      <Field
                        name={`weekly.${day}.${i}.open`}
                        label="Opens"
                        value={interval.open}
                        onChange={(e) =>
                          setDay(
                            day,
                            list.map((x, j) => (j === i ? { ...x, open: e.currentTarget.value } : x)),
                          )
                        }
                        placeholder="09:00"
                        inputMode="numeric"
                        autoComplete="off"
                        maxLength={5}
                        errors={errors}
                      />
                      <Field
                        name={`weekly.${day}.${i}.close`}
                        label="Closes"
                        value={interval.close}
                        onChange={(e) =>
                          setDay(
                            day,
                            list.map((x, j) => (j === i ? { ...x, close: e.currentTarget.value } : x)),
                          )
                        }
                        placeholder="17:00"
                        inputMode="numeric"
                        autoComplete="off"
                        maxLength={5}
                        errors={errors}
                      />
                      <button
                        type="button"
                        className="link-button"
                        aria-label={`Remove ${label} ${interval.open}–${interval.close}`}
                        onClick={() =>
                          setDay(
                            day,
                            list.filter((_, j) => j !== i),
                          )
                        }
                      >
                        Remove
                      </button>
                    </div>
                  ))}
                  {list.length < MAX_INTERVALS ? (
                    <button
                      type="button"
                      className="link-button"
                      aria-label={`Add opening hours on ${label}`}
                      // A day's first hours start as 09:00–17:00; a later interval (after a break) empty.
                      onClick={() =>
                        setDay(day, [...list, list.length ? { open: "", close: "" } : DEFAULT_INTERVAL])
                      }
                    >
                      Add hours
                    </button>
                  ) : null}
                </fieldset>
              </li>
            );
          })}
        </ul>
        <p className="hint">Times as HH:MM, 24-hour; 24:00 is midnight at the end of the day.</p>
        <fieldset className="hours-dates">
          <legend>Closed dates</legend>
          {dates.length === 0 ? <p className="muted small">No closed dates (holidays).</p> : null}
          {dates.map((date, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a date input is its position in the list.
            <div className="hours-interval" key={i}>
              <Field
                name={`closedDates.${i}`}
                label={`Closed on (${i + 1})`}
                type="date"
                value={date}
                onChange={(e) => {
                  const value = e.currentTarget.value;
                  setDates((ds) => ds.map((d, j) => (j === i ? value : d)));
                }}
                errors={errors}
              />
              <button
                type="button"
                className="link-button"
                aria-label={`Remove closed date ${date || i + 1}`}
                onClick={() => setDates((ds) => ds.filter((_, j) => j !== i))}
              >
                Remove
              </button>
            </div>
          ))}
          <button type="button" className="link-button" onClick={() => setDates((ds) => [...ds, ""])}>
            Add a closed date
          </button>
        </fieldset>
        <div className="actions">
          <Submit busy="Saving…">Save</Submit>
        </div>
        <p className="test-result" role="status" data-hours-saved="">
          {actionData && "saved" in actionData ? "Saved." : ""}
        </p>
      </Form>
    </section>
  );
}
