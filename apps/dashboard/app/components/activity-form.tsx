import { useEffect, useRef, useState } from "react";
import { useFetcher } from "react-router";
import { ACTIVITY_KINDS, ACTIVITY_LABEL } from "../lib/crm.js";
import type { FormErrors } from "../lib/forms.js";
import { Field, FormError } from "./form.js";

/**
 * "Log a call / email / meeting / note, or add a task" for a contact or a deal. Posts intent=activity
 * to the screen's action (see logActivity in crm.server.ts); a task also gets a due date.
 */
export function ActivityForm() {
  const fetcher = useFetcher<{ errors?: FormErrors; ok?: boolean }>();
  const form = useRef<HTMLFormElement>(null);
  const [kind, setKind] = useState<string>("call");
  const errors = fetcher.data?.errors;
  useEffect(() => {
    if (fetcher.state === "idle" && fetcher.data?.ok) form.current?.reset();
  }, [fetcher.state, fetcher.data]);
  return (
    <fetcher.Form method="post" noValidate ref={form} className="card" aria-labelledby="log-activity">
      <h2 id="log-activity">Log activity</h2>
      <input type="hidden" name="intent" value="activity" />
      <FormError errors={errors} />
      <div className="form-grid">
        <div className="field">
          <label htmlFor="activity-kind">Kind</label>
          <select id="activity-kind" name="kind" value={kind} onChange={(e) => setKind(e.target.value)}>
            {ACTIVITY_KINDS.map((k) => (
              <option key={k} value={k}>
                {ACTIVITY_LABEL[k]}
              </option>
            ))}
          </select>
        </div>
        <Field name="subject" label="Subject" errors={errors} maxLength={300} />
        <Field
          name="dueAt"
          label="Due (tasks)"
          type="datetime-local"
          errors={errors}
          disabled={kind !== "task"}
        />
      </div>
      <div className="field">
        <label htmlFor="activity-body">Notes</label>
        <textarea id="activity-body" name="body" rows={3} maxLength={20000} />
      </div>
      <button type="submit" className="primary" disabled={fetcher.state !== "idle"}>
        {fetcher.state !== "idle" ? "Saving…" : "Log activity"}
      </button>
    </fetcher.Form>
  );
}
