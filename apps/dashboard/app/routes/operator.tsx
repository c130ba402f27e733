import { Form } from "react-router";
import { FormError } from "../components/form.js";
import { Asks, Verified } from "../components/marketplace/asks.js";
import { Readme } from "../components/marketplace/readme.js";
import { api } from "../lib/api.server.js";
import { useFormats } from "../lib/format.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import adminStyles from "../styles/admin.css?url";
import marketplaceStyles from "../styles/marketplace.css?url";
import type { Route } from "./+types/operator";

// Plugin review, for platform staff only (issue 19; PLATFORM_OPERATORS): versions that passed the
// automated checks, with their report, what they ask for and their README; approve, or reject with
// the reason the developer reads. And the developers' verified badge.

export const links: Route.LinksFunction = () => [
  { rel: "stylesheet", href: adminStyles },
  { rel: "stylesheet", href: marketplaceStyles },
];
export const meta: Route.MetaFunction = () => [{ title: "Plugin review · AutopilotCRM" }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const client = api(request, context);
  const [reviews, developers] = await Promise.all([
    client.GET("/v1/operator/reviews"),
    client.GET("/v1/operator/developers"),
  ]);
  if (reviews.response.status === 403)
    throw new Response("Only platform staff review plugins.", { status: 403, statusText: "Forbidden" });
  if (!reviews.data || !developers.data)
    throw new Response("Could not load the review queue", { status: reviews.response.status });
  return { reviews: reviews.data.reviews, developers: developers.data.developers };
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const client = api(request, context);
  const intent = text(form, "intent");
  if (intent === "verify") {
    const { error } = await client.PUT("/v1/operator/developers/{userId}/verified", {
      params: { path: { userId: text(form, "userId") } },
      body: { verified: text(form, "verified") === "true" },
    });
    return error ? { errors: formErrors(error, []) } : null;
  }
  const [publisher = "", name = ""] = text(form, "pluginId").split("/");
  const path = { publisher, name, version: text(form, "version") };
  if (intent === "approve") {
    const { data, error } = await client.POST(
      "/v1/operator/plugins/{publisher}/{name}/versions/{version}/approve",
      {
        params: { path },
      },
    );
    return data
      ? { done: `${data.pluginId}@${data.version} is ${data.status}.` }
      : { errors: formErrors(error, []) };
  }
  if (intent === "reject") {
    const { data, error } = await client.POST(
      "/v1/operator/plugins/{publisher}/{name}/versions/{version}/reject",
      {
        params: { path },
        body: { reason: text(form, "reason") },
      },
    );
    if (!data)
      return {
        errors: formErrors(error, ["reason"]),
        rejecting: `${path.publisher}/${path.name}@${path.version}`,
      };
    return { done: `${data.pluginId}@${data.version} is rejected.` };
  }
  return { errors: { fields: {}, form: "Unknown action" } satisfies FormErrors };
}

export default function Operator({ loaderData, actionData }: Route.ComponentProps) {
  const { reviews, developers } = loaderData;
  const errors = actionData && "errors" in actionData ? actionData.errors : undefined;
  const rejecting = actionData && "rejecting" in actionData ? actionData.rejecting : undefined;
  const { when } = useFormats();
  return (
    <>
      <h1>Plugin review</h1>
      <p className="success-line" role="status">
        {actionData && "done" in actionData ? actionData.done : ""}
      </p>
      <FormError errors={rejecting ? undefined : errors} />
      <section aria-labelledby="queue-title">
        <h2 id="queue-title">Waiting for review</h2>
        {reviews.length === 0 ? (
          <p className="empty">Nothing waits for review.</p>
        ) : (
          reviews.map((r) => {
            const key = `${r.pluginId}@${r.version}`;
            const reasonId = `reason-${r.pluginId.replace("/", "-")}-${r.version}`;
            return (
              <article key={key} className="card" data-review={key} aria-labelledby={`rv-${reasonId}`}>
                <h3 id={`rv-${reasonId}`}>
                  {r.name} {r.version} <span className="muted small mono">{r.pluginId}</span>
                </h3>
                <p className="small">
                  by {r.developer.name} <Verified verified={r.developer.verified} /> · submitted{" "}
                  {when(r.createdAt)} · {r.bytes} bytes · risk {r.risk}
                </p>
                <p>{r.description}</p>
                <h4>Asks for</h4>
                <Asks permissions={r.permissions} hosts={r.hosts} />
                <h4>Automated checks</h4>
                <ul className="checks">
                  {r.checks.map((c) => (
                    <li key={c.id} className={c.ok ? "check-ok" : "check-failed"}>
                      <strong>{c.title}</strong>: {c.detail}
                    </li>
                  ))}
                </ul>
                {r.changelog ? (
                  <>
                    <h4>Changes</h4>
                    <p>{r.changelog}</p>
                  </>
                ) : null}
                <details>
                  <summary>README</summary>
                  <Readme source={r.readme} />
                </details>
                <div className="actions">
                  <Form method="post">
                    <input type="hidden" name="pluginId" value={r.pluginId} />
                    <input type="hidden" name="version" value={r.version} />
                    <button type="submit" className="primary" name="intent" value="approve">
                      Approve {r.name} {r.version}
                    </button>
                  </Form>
                  <Form method="post" noValidate className="inline-form">
                    <input type="hidden" name="pluginId" value={r.pluginId} />
                    <input type="hidden" name="version" value={r.version} />
                    <label htmlFor={reasonId}>Reason for the developer</label>
                    <input
                      id={reasonId}
                      name="reason"
                      aria-invalid={rejecting === key ? true : undefined}
                      aria-describedby={`${reasonId}-error`}
                    />
                    <span id={`${reasonId}-error`} className="field-error">
                      {rejecting === key ? (errors?.fields.reason ?? errors?.form ?? "") : ""}
                    </span>
                    <button type="submit" name="intent" value="reject">
                      Reject {r.version}
                    </button>
                  </Form>
                </div>
              </article>
            );
          })
        )}
      </section>
      <section aria-labelledby="devs-title">
        <h2 id="devs-title">Developers</h2>
        <ul className="plain">
          {developers.map((d) => (
            <li key={d.userId} data-developer={d.name}>
              {d.name} <Verified verified={d.verified} />{" "}
              <span className="muted small">{d.supportEmail}</span>{" "}
              <Form method="post" className="inline-form">
                <input type="hidden" name="intent" value="verify" />
                <input type="hidden" name="userId" value={d.userId} />
                <input type="hidden" name="verified" value={d.verified ? "false" : "true"} />
                <button type="submit">{d.verified ? `Remove ${d.name}'s badge` : `Verify ${d.name}`}</button>
              </Form>
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
