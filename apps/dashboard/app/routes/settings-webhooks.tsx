import { Form, Link } from "react-router";
import { Field, FormError, Submit } from "../components/form.js";
import { DeliveryLog } from "../components/webhooks/delivery-log.js";
import { EndpointDetail } from "../components/webhooks/endpoint-detail.js";
import { INTAKE_FIELDS, LeadIntake } from "../components/webhooks/lead-intake.js";
import { requireAdmin } from "../lib/admin.server.js";
import { api } from "../lib/api.server.js";
import type { components, paths } from "../lib/api-schema.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import type { Route } from "./+types/settings-webhooks";

// Settings → Webhooks: endpoints that receive the workspace's events (Standard Webhooks 1.0), each
// with its signing secret (shown once, rotated with an overlap), a test event, enable/disable, and
// its delivery log: every try's status, latency and answer, and redelivery.

export const meta: Route.MetaFunction = () => [{ title: "Webhooks · Settings · AutopilotCRM" }];

type Endpoint = components["schemas"]["WebhookEndpoint"];
type NewEndpoint = NonNullable<paths["/v1/webhooks"]["post"]["requestBody"]>["content"]["application/json"];
type EventType = NonNullable<NewEndpoint["eventTypes"]>[number];

export async function loader({ request, context }: Route.LoaderArgs) {
  const client = api(request, context);
  const params = new URL(request.url).searchParams;
  const [, { data, response }, types, intake] = await Promise.all([
    requireAdmin(request, context),
    client.GET("/v1/webhooks"),
    client.GET("/v1/webhooks/event-types"),
    client.GET("/v1/lead-intake"),
  ]);
  if (!data) throw new Response("Could not load the webhooks", { status: response.status });
  const selected = params.get("endpoint") ?? data.endpoints[0]?.id ?? null;
  const deliveries = selected
    ? ((
        await client.GET("/v1/webhooks/{id}/deliveries", {
          params: { path: { id: selected }, query: { limit: 50 } },
        })
      ).data?.deliveries ?? [])
    : [];
  const deliveryId = params.get("delivery");
  const delivery =
    selected && deliveryId
      ? ((
          await client.GET("/v1/webhooks/{id}/deliveries/{deliveryId}", {
            params: { path: { id: selected, deliveryId } },
          })
        ).data ?? null)
      : null;
  return {
    endpoints: data.endpoints,
    eventTypes: types.data?.eventTypes ?? [],
    selected,
    deliveries,
    delivery,
    intake: intake.data ?? null,
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const client = api(request, context);
  const intent = text(form, "intent");
  const id = text(form, "id");
  const path = { params: { path: { id } } };
  switch (intent) {
    case "intake-save": {
      const mapping = Object.fromEntries(
        INTAKE_FIELDS.map((key) => [key, text(form, `map-${key}`)]).filter(([, v]) => v),
      );
      const { error } = await client.PATCH("/v1/lead-intake", {
        body: { enabled: form.get("enabled") === "on", assign: form.get("assign") === "on", mapping },
      });
      return error
        ? {
            intakeErrors: formErrors(
              error,
              INTAKE_FIELDS.map((k) => `map-${k}`),
            ),
          }
        : { intakeSaved: true };
    }
    case "intake-rotate": {
      const { error } = await client.POST("/v1/lead-intake/rotate-secret");
      return error ? { intakeErrors: formErrors(error, []) } : { notice: "A new secret signs from now on." };
    }
    case "create": {
      // The API checks each type against its catalogue (a 400 naming eventTypes otherwise).
      const eventTypes = form.getAll("eventTypes").map(String) as EventType[];
      const { data, error } = await client.POST("/v1/webhooks", {
        body: { url: text(form, "url"), description: text(form, "description"), eventTypes },
      });
      if (!data) return { errors: formErrors(error, ["url", "description", "eventTypes"]) };
      return { secret: { url: data.url, value: data.secret, rotated: false }, select: data.id };
    }
    case "rotate": {
      const { data, error } = await client.POST("/v1/webhooks/{id}/rotate-secret", {
        ...path,
        body: { overlapHours: Number(text(form, "overlapHours") || 24) },
      });
      if (!data) return { errors: formErrors(error, []) };
      return { secret: { url: data.url, value: data.secret, rotated: true } };
    }
    case "test": {
      const { error } = await client.POST("/v1/webhooks/{id}/test", path);
      return error
        ? { errors: formErrors(error, []) }
        : { notice: "A test event is on its way; it shows below." };
    }
    case "enable":
    case "disable": {
      const { error } = await client.PATCH("/v1/webhooks/{id}", {
        ...path,
        body: { enabled: intent === "enable" },
      });
      return error
        ? { errors: formErrors(error, []) }
        : { notice: intent === "enable" ? "Enabled." : "Disabled." };
    }
    case "delete": {
      const { error } = await client.DELETE("/v1/webhooks/{id}", path);
      return error ? { errors: formErrors(error, []) } : { notice: "Endpoint removed." };
    }
    case "redeliver": {
      const { error } = await client.POST("/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver", {
        params: { path: { id, deliveryId: text(form, "deliveryId") } },
      });
      return error ? { errors: formErrors(error, []) } : { notice: "Sent again; it shows below." };
    }
  }
  return { errors: { fields: {}, form: "Unknown action" } satisfies FormErrors };
}

const label = (e: Endpoint) => e.description || e.url;

export default function Webhooks({ loaderData, actionData }: Route.ComponentProps) {
  const { endpoints, eventTypes, selected, deliveries, delivery, intake } = loaderData;
  const data = (actionData ?? {}) as {
    errors?: FormErrors;
    secret?: { url: string; value: string; rotated: boolean };
    notice?: string;
    select?: string;
    intakeErrors?: FormErrors;
    intakeSaved?: boolean;
  };
  const current = endpoints.find((e) => e.id === (data.select ?? selected));
  return (
    <>
      {data.secret ? (
        <div className="success spaced" role="status">
          <p>
            <strong>
              {data.secret.rotated ? "New signing secret" : "Signing secret"} for {data.secret.url}.
            </strong>{" "}
            Copy it now: it is not shown again.
            {data.secret.rotated ? " The old one keeps signing beside it until the overlap ends." : ""}
          </p>
          <div className="snippet">
            <code data-webhook-secret="">{data.secret.value}</code>
            <button
              type="button"
              onClick={() => void navigator.clipboard?.writeText(data.secret?.value ?? "")}
            >
              Copy
            </button>
          </div>
        </div>
      ) : null}
      {data.notice ? (
        <p className="success spaced" role="status">
          {data.notice}
        </p>
      ) : null}
      <section className="card" aria-labelledby="new-webhook-title">
        <h2 id="new-webhook-title">Add an endpoint</h2>
        <p className="hint">
          Your server gets each event as a signed POST (Standard Webhooks: verify the{" "}
          <code>webhook-signature</code> header with the secret; libraries exist for every language).
        </p>
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="create" />
          <FormError errors={data.secret ? undefined : data.errors} />
          <Field
            name="url"
            label="URL"
            type="url"
            autoComplete="off"
            errors={data.errors}
            placeholder="https://example.com/webhooks"
            required
          />
          <Field
            name="description"
            label="Description"
            autoComplete="off"
            errors={data.errors}
            placeholder="CRM sync"
          />
          <fieldset className="event-types">
            <legend>Events (none ticked: all of them)</legend>
            <div className="check-columns">
              {eventTypes.map((t) => (
                <label key={t} className="check-inline">
                  <input type="checkbox" name="eventTypes" value={t} /> {t}
                </label>
              ))}
            </div>
          </fieldset>
          <p className="field-error" data-field-error="eventTypes">
            {data.errors?.fields.eventTypes ?? ""}
          </p>
          <Submit busy="Adding…">Add endpoint</Submit>
        </Form>
      </section>
      <section className="card" aria-labelledby="webhooks-title">
        <h2 id="webhooks-title">Endpoints</h2>
        {endpoints.length === 0 ? (
          <p className="empty">No endpoints yet.</p>
        ) : (
          <ul className="plain plugin-list">
            {endpoints.map((e) => (
              <li key={e.id}>
                <Link to={`?endpoint=${e.id}`} aria-current={e.id === current?.id ? "true" : undefined}>
                  {label(e)}
                </Link>{" "}
                <span className="muted small">
                  {e.url} · {e.eventTypes.length === 0 ? "all events" : e.eventTypes.join(", ")} ·{" "}
                  <span data-endpoint-status={e.status}>{e.status}</span>
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      {current ? (
        <EndpointDetail endpoint={current} errors={data.secret ? undefined : data.errors}>
          <DeliveryLog endpointId={current.id} deliveries={deliveries} selected={delivery} />
        </EndpointDetail>
      ) : null}
      {intake ? (
        <LeadIntake intake={intake} errors={data.intakeErrors} saved={data.intakeSaved === true} />
      ) : null}
    </>
  );
}
