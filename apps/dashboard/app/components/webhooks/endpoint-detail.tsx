import type { ReactNode } from "react";
import { Form } from "react-router";
import type { components } from "../../lib/api-schema.js";
import { useFormats } from "../../lib/format.js";
import type { FormErrors } from "../../lib/forms.js";
import { ConfirmForm } from "../confirm-form.js";
import { FormError } from "../form.js";

// One webhook endpoint on Settings → Webhooks: its status, and what an admin does with it.

type Endpoint = components["schemas"]["WebhookEndpoint"];

export function EndpointDetail({
  endpoint: e,
  errors,
  children,
}: {
  endpoint: Endpoint;
  errors: FormErrors | undefined;
  children: ReactNode;
}) {
  const { when } = useFormats();
  return (
    <section className="card" aria-labelledby="endpoint-title" data-endpoint={e.id}>
      <h2 id="endpoint-title">{e.description || "Endpoint"}</h2>
      <p>
        <code>{e.url}</code>
      </p>
      <p role="status" data-endpoint-status={e.status}>
        {e.status === "active" ? "Active." : `Disabled: ${e.disabledReason ?? "by an admin"}.`}
      </p>
      <p className="small muted">
        Events: {e.eventTypes.length === 0 ? "all" : e.eventTypes.join(", ")}.
        {e.previousSecretUntil ? ` The previous secret also signs until ${when(e.previousSecretUntil)}.` : ""}
      </p>
      <FormError errors={errors} />
      <div className="actions">
        <Form method="post">
          <input type="hidden" name="id" value={e.id} />
          <button type="submit" name="intent" value="test" disabled={e.status !== "active"}>
            Send test event
          </button>
        </Form>
        <Form method="post">
          <input type="hidden" name="id" value={e.id} />
          <button type="submit" name="intent" value={e.status === "active" ? "disable" : "enable"}>
            {e.status === "active" ? "Disable" : "Enable"}
          </button>
        </Form>
        <Form method="post" className="inline-form">
          <input type="hidden" name="id" value={e.id} />
          <input type="hidden" name="intent" value="rotate" />
          <label htmlFor={`overlap-${e.id}`}>Old secret keeps signing for</label>
          <select id={`overlap-${e.id}`} name="overlapHours" defaultValue="24">
            <option value="0">no time</option>
            <option value="1">1 hour</option>
            <option value="24">24 hours</option>
            <option value="168">7 days</option>
          </select>
          <button type="submit">Rotate secret</button>
        </Form>
        <ConfirmForm
          intent="delete"
          fields={{ id: e.id }}
          question={`Remove ${e.url}? Its delivery log goes with it.`}
          label={`Remove ${e.url}`}
        >
          Remove
        </ConfirmForm>
      </div>
      {children}
    </section>
  );
}
