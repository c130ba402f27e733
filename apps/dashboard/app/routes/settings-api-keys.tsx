import { Form } from "react-router";
import { ConfirmForm } from "../components/confirm-form.js";
import { Field, FormError, SelectField, Submit } from "../components/form.js";
import { requireAdmin } from "../lib/admin.server.js";
import { api } from "../lib/api.server.js";
import { useFormats } from "../lib/format.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import type { Route } from "./+types/settings-api-keys";

export const meta: Route.MetaFunction = () => [{ title: "API keys · Settings · AutopilotCRM" }];

const ROLES = ["viewer", "agent", "admin"] as const;

export async function loader({ request, context }: Route.LoaderArgs) {
  const [, { data, response }] = await Promise.all([
    requireAdmin(request, context),
    api(request, context).GET("/v1/api-keys"),
  ]);
  if (!data) throw new Response("Could not load the API keys", { status: response.status });
  return { keys: data.apiKeys };
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const client = api(request, context);
  if (text(form, "intent") === "revoke") {
    const { error } = await client.DELETE("/v1/api-keys/{id}", {
      params: { path: { id: text(form, "id") } },
    });
    return error ? { errors: formErrors(error, []) } : { revoked: true };
  }
  const scopes = form.getAll("scopes").filter((s): s is "read" | "write" => s === "read" || s === "write");
  const { data, error } = await client.POST("/v1/api-keys", {
    body: { name: text(form, "name"), role: text(form, "role") as (typeof ROLES)[number], scopes },
  });
  // The secret is shown once, in this response; it is never stored by the dashboard nor shown again.
  if (!data) return { errors: formErrors(error, ["name", "role", "scopes"]) };
  return { created: { name: data.name, secret: data.secret } };
}

export default function ApiKeys({ loaderData, actionData }: Route.ComponentProps) {
  const { when } = useFormats();
  const errors: FormErrors | undefined = actionData && "errors" in actionData ? actionData.errors : undefined;
  const created = actionData && "created" in actionData ? actionData.created : undefined;
  const active = loaderData.keys.filter((k) => !k.revokedAt);
  return (
    <>
      {created ? (
        <div className="success spaced" role="status">
          <p>
            <strong>Key “{created.name}” created.</strong> Copy it now: it is not shown again.
          </p>
          <div className="snippet">
            <code data-new-key="">{created.secret}</code>
            <button type="button" onClick={() => void navigator.clipboard?.writeText(created.secret)}>
              Copy
            </button>
          </div>
        </div>
      ) : null}
      <section className="card" aria-labelledby="new-key-title">
        <h2 id="new-key-title">Create an API key</h2>
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="create" />
          <FormError errors={errors} />
          <div className="grid-2">
            <Field name="name" label="Name" autoComplete="off" errors={errors} placeholder="Zapier sync" />
            <SelectField id="key-role" name="role" label="Role" options={ROLES} defaultValue="agent" />
          </div>
          <fieldset className="inline-checks">
            <legend>Scopes</legend>
            <label className="check-inline">
              <input type="checkbox" name="scopes" value="read" defaultChecked /> Read
            </label>
            <label className="check-inline">
              <input type="checkbox" name="scopes" value="write" defaultChecked /> Write
            </label>
          </fieldset>
          <p className="field-error" data-field-error="scopes">
            {errors?.fields.scopes ?? ""}
          </p>
          <Submit busy="Creating…">Create key</Submit>
        </Form>
      </section>
      <section aria-labelledby="keys-title">
        <h2 id="keys-title">Keys</h2>
        {active.length === 0 ? (
          <p className="empty">No API keys yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Role · scopes</th>
                  <th scope="col" className="hide-narrow">
                    Last used
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {active.map((k) => (
                  <tr key={k.id}>
                    <td>
                      {k.name}
                      <div className="small muted mono">{k.prefix}…</div>
                    </td>
                    <td>
                      {k.role} · {k.scopes.join(", ")}
                    </td>
                    <td className="hide-narrow small">{k.lastUsedAt ? when(k.lastUsedAt) : "never"}</td>
                    <td>
                      <ConfirmForm
                        intent="revoke"
                        fields={{ id: k.id }}
                        question={`Revoke “${k.name}”? It stops working at once.`}
                        label={`Revoke ${k.name}`}
                      >
                        Revoke
                      </ConfirmForm>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
