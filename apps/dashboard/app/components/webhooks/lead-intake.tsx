import { Form, Link } from "react-router";
import type { components } from "../../lib/api-schema.js";
import { useFormats } from "../../lib/format.js";
import type { FormErrors } from "../../lib/forms.js";
import { Field, FormError, Submit } from "../form.js";

// The inbound lead webhook on Settings → Webhooks: the URL and secret a form tool signs with, where its
// fields are, and the latest payloads with what became of each.

type Intake = components["schemas"]["LeadIntake"];

const FIELDS = [
  ["email", "Email"],
  ["name", "Name"],
  ["firstName", "First name"],
  ["lastName", "Last name"],
  ["phone", "Phone"],
  ["company", "Company"],
  ["title", "Lead title (message, subject)"],
] as const;

export const INTAKE_FIELDS = FIELDS.map(([key]) => key);

const OUTCOME: Record<Intake["payloads"][number]["outcome"], string> = {
  created: "lead created",
  duplicate: "repeat, ignored",
  refused: "not used",
};

export function LeadIntake({
  intake,
  errors,
  saved,
}: {
  intake: Intake;
  errors?: FormErrors;
  saved: boolean;
}) {
  const { when } = useFormats();
  const example = `curl -X POST '${intake.url}' -H 'content-type: application/json' \\
  -H "x-signature-256: sha256=$(printf '%s' "$BODY" | openssl dgst -sha256 -hmac '<secret>' | cut -d' ' -f2)" \\
  -d "$BODY"`;
  return (
    <section className="card" aria-labelledby="intake-title">
      <h2 id="intake-title">Incoming leads</h2>
      <p className="hint">
        Form tools (your website's form, Typeform, Tally, Zapier…) post submissions here; each becomes a
        contact and a lead, scored and assigned like any other. Posts must be signed with the secret: Standard
        Webhooks headers, or <code>X-Signature-256: sha256=&lt;hex HMAC-SHA256 of the body&gt;</code>.
      </p>
      <p>
        <code data-intake-url="">{intake.url}</code>
      </p>
      <details>
        <summary>Show the secret</summary>
        <p>
          <code data-intake-secret="">{intake.secret}</code>
        </p>
        <pre className="excerpt">{`BODY='{"email":"ada@example.com","name":"Ada","message":"Need a quote"}'\n${example}`}</pre>
        <Form method="post">
          <input type="hidden" name="intent" value="intake-rotate" />
          <button type="submit">Make a new secret (the old one stops at once)</button>
        </Form>
      </details>
      <h3>Settings</h3>
      <Form method="post" noValidate>
        <input type="hidden" name="intent" value="intake-save" />
        <FormError errors={errors} />
        <label className="check-inline">
          <input type="checkbox" name="enabled" defaultChecked={intake.enabled} /> Take submissions
        </label>
        <label className="check-inline">
          <input type="checkbox" name="assign" defaultChecked={intake.assign} /> Assign new leads by the
          assignment rules
        </label>
        <p className="hint">
          Where the fields are in a submission, as dot paths (<code>data.fields.email</code>). Left empty, the
          usual names are found by themselves (email, name, first_name, phone, company, message…).
        </p>
        <div className="grid-2">
          {FIELDS.map(([key, label]) => (
            <Field
              key={key}
              id={`intake-${key}`}
              name={`map-${key}`}
              label={label}
              defaultValue={intake.mapping[key] ?? ""}
              errors={errors}
              autoComplete="off"
            />
          ))}
        </div>
        <Submit busy="Saving…">Save</Submit>
        <p className="success-line" role="status">
          {saved ? "Saved." : ""}
        </p>
      </Form>
      <h3>Latest submissions</h3>
      {intake.payloads.length === 0 ? (
        <p className="empty">Nothing received yet.</p>
      ) : (
        <ol className="plain tries">
          {intake.payloads.map((p) => (
            <li key={p.id} data-intake-outcome={p.outcome}>
              <p>
                {when(p.receivedAt)} · {OUTCOME[p.outcome]}
                {p.leadId ? (
                  <>
                    {" "}
                    · <Link to={`/leads/${p.leadId}`}>the lead</Link>
                  </>
                ) : null}
                {p.error ? <span className="muted"> · {p.error}</span> : null}
              </p>
              <pre className="excerpt">{JSON.stringify(p.payload, null, 2)}</pre>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
