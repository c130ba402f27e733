import { Form } from "react-router";
import { ConfirmForm } from "../components/confirm-form.js";
import { Field, FormError, Submit } from "../components/form.js";
import { Verified } from "../components/marketplace/asks.js";
import { api } from "../lib/api.server.js";
import type { components } from "../lib/api-schema.js";
import { useFormats } from "../lib/format.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import adminStyles from "../styles/admin.css?url";
import marketplaceStyles from "../styles/marketplace.css?url";
import type { Route } from "./+types/developer";

// The developer portal (issue 19): my developer profile, CLI tokens, and my plugins with each
// version's review status and report, install counts and failures across installs (counts only,
// never a workspace's data); publish an approved version, deprecate or yank one.

export const links: Route.LinksFunction = () => [
  { rel: "stylesheet", href: adminStyles },
  { rel: "stylesheet", href: marketplaceStyles },
];
export const meta: Route.MetaFunction = () => [{ title: "Developer · AutopilotCRM" }];

type Version = components["schemas"]["DeveloperPlugin"]["versions"][number];

const STATUS_WORDS: Record<string, string> = {
  submitted: "Submitted: checks running",
  in_review: "In review by platform staff",
  approved: "Approved: publish it when ready",
  rejected: "Rejected",
  published: "Published",
  deprecated: "Deprecated",
  yanked: "Yanked",
};

export async function loader({ request, context }: Route.LoaderArgs) {
  const client = api(request, context);
  const { data, response } = await client.GET("/v1/developer/profile");
  if (!data) throw new Response("Could not load your developer profile", { status: response.status });
  if (!data.profile) return { profile: null, tokens: [], plugins: [] };
  const [tokens, plugins] = await Promise.all([
    client.GET("/v1/developer/tokens"),
    client.GET("/v1/developer/plugins"),
  ]);
  return {
    profile: data.profile,
    tokens: (tokens.data?.tokens ?? []).filter((t) => !t.revokedAt),
    plugins: plugins.data?.plugins ?? [],
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const client = api(request, context);
  const intent = text(form, "intent");
  if (intent === "profile") {
    const { error } = await client.PUT("/v1/developer/profile", {
      body: {
        name: text(form, "name"),
        website: text(form, "website") || null,
        supportEmail: text(form, "supportEmail"),
      },
    });
    return error ? { errors: formErrors(error, ["name", "website", "supportEmail"]) } : { saved: true };
  }
  if (intent === "token") {
    const { data, error } = await client.POST("/v1/developer/tokens", {
      body: { name: text(form, "tokenName") },
    });
    if (!data) return { errors: formErrors(error, ["tokenName"]) };
    return { token: data.token };
  }
  if (intent === "revoke") {
    const { error } = await client.DELETE("/v1/developer/tokens/{id}", {
      params: { path: { id: text(form, "id") } },
    });
    return error ? { errors: formErrors(error, []) } : null;
  }
  const [publisher = "", name = ""] = text(form, "pluginId").split("/");
  const path = { publisher, name, version: text(form, "version") };
  if (intent === "publish") {
    const { error } = await client.POST(
      "/v1/developer/plugins/{publisher}/{name}/versions/{version}/publish",
      {
        params: { path },
      },
    );
    return error ? { errors: formErrors(error, []) } : null;
  }
  if (intent === "deprecate") {
    const { error } = await client.POST(
      "/v1/developer/plugins/{publisher}/{name}/versions/{version}/deprecate",
      {
        params: { path },
      },
    );
    return error ? { errors: formErrors(error, []) } : null;
  }
  if (intent === "yank") {
    const { error } = await client.POST("/v1/developer/plugins/{publisher}/{name}/versions/{version}/yank", {
      params: { path },
      body: { reason: text(form, "reason") || "withdrawn by its publisher" },
    });
    return error ? { errors: formErrors(error, []) } : null;
  }
  return { errors: { fields: {}, form: "Unknown action" } satisfies FormErrors };
}

function VersionRow({ pluginId, v }: { pluginId: string; v: Version }) {
  const { when } = useFormats();
  return (
    <li className="card" data-version={`${pluginId}@${v.version}`}>
      <h4>
        {v.version} ·{" "}
        <span className="version-status" data-status={v.status}>
          {STATUS_WORDS[v.status] ?? v.status}
        </span>
      </h4>
      <p className="small muted">
        Submitted {when(v.createdAt)} · risk {v.risk} · {v.installs}{" "}
        {v.installs === 1 ? "install" : "installs"}
        {v.publishedAt ? ` · published ${when(v.publishedAt)}` : ""}
      </p>
      {v.reason ? (
        <p data-reason="">
          <strong>Reason:</strong> {v.reason}
        </p>
      ) : null}
      {v.checks.length ? (
        <details>
          <summary>
            Automated checks ({v.checks.filter((c) => c.ok).length} of {v.checks.length} passed)
          </summary>
          <ul className="checks">
            {v.checks.map((c) => (
              <li key={c.id} className={c.ok ? "check-ok" : "check-failed"}>
                <strong>{c.title}</strong>: {c.detail}
              </li>
            ))}
          </ul>
        </details>
      ) : null}
      <div className="actions">
        {v.status === "approved" ? (
          <Form method="post">
            <input type="hidden" name="pluginId" value={pluginId} />
            <input type="hidden" name="version" value={v.version} />
            <button type="submit" name="intent" value="publish">
              Publish {v.version}
            </button>
          </Form>
        ) : null}
        {v.status === "published" ? (
          <Form method="post">
            <input type="hidden" name="pluginId" value={pluginId} />
            <input type="hidden" name="version" value={v.version} />
            <button type="submit" name="intent" value="deprecate">
              Deprecate {v.version}
            </button>
          </Form>
        ) : null}
        {["published", "deprecated", "approved"].includes(v.status) ? (
          <ConfirmForm
            intent="yank"
            fields={{ pluginId, version: v.version }}
            question={`Yank ${v.version}? Every workspace running it is paused and told.`}
            label={`Yank ${v.version}`}
          >
            Yank
          </ConfirmForm>
        ) : null}
      </div>
    </li>
  );
}

export default function Developer({ loaderData, actionData }: Route.ComponentProps) {
  const { profile, tokens, plugins } = loaderData;
  const errors = actionData && "errors" in actionData ? actionData.errors : undefined;
  const token = actionData && "token" in actionData ? actionData.token : undefined;
  const { when } = useFormats();
  return (
    <>
      <h1>Developer</h1>
      <p className="muted">
        Publish plugins to the marketplace: build them with the SDK, submit them with the CLI, follow their
        review here. You see how your plugins are used and how they fail, never a workspace's data.
      </p>
      <section className="card" aria-labelledby="profile-title">
        <h2 id="profile-title">Profile {profile ? <Verified verified={profile.verified} /> : null}</h2>
        {profile && !profile.verified ? (
          <p className="small muted">Platform staff mark publishers they have verified with a badge.</p>
        ) : null}
        <Form method="post" noValidate>
          <input type="hidden" name="intent" value="profile" />
          <FormError errors={errors} />
          <div className="grid-2">
            <Field name="name" label="Publisher name" defaultValue={profile?.name ?? ""} errors={errors} />
            <Field
              name="supportEmail"
              label="Support email"
              type="email"
              defaultValue={profile?.supportEmail ?? ""}
              errors={errors}
            />
            <Field
              name="website"
              label="Website (optional)"
              type="url"
              defaultValue={profile?.website ?? ""}
              errors={errors}
            />
          </div>
          <Submit busy="Saving…">{profile ? "Save profile" : "Create profile"}</Submit>
          <p className="success-line" role="status">
            {actionData && "saved" in actionData ? "Profile saved." : ""}
          </p>
        </Form>
      </section>
      {profile ? (
        <>
          <section className="card" aria-labelledby="tokens-title">
            <h2 id="tokens-title">CLI tokens</h2>
            {token ? (
              <div className="success" role="status">
                <p>
                  <strong>Copy it now:</strong> it is not shown again.
                </p>
                <div className="snippet">
                  <code data-new-token="">{token}</code>
                </div>
              </div>
            ) : null}
            <p className="small">
              A token publishes versions and reads their status; nothing else. Then:{" "}
              <code>AUTOPILOT_DEVELOPER_TOKEN=apd_… npx autopilot-plugin publish</code>
            </p>
            <Form method="post" noValidate className="inline-form">
              <input type="hidden" name="intent" value="token" />
              <Field name="tokenName" label="Token name" placeholder="laptop" errors={errors} />
              <Submit busy="Creating…">Create token</Submit>
            </Form>
            <ul className="plain">
              {tokens.map((t) => (
                <li key={t.id}>
                  {t.name} <span className="mono small">{t.prefix}…</span>{" "}
                  <span className="muted small">last used {t.lastUsedAt ? when(t.lastUsedAt) : "never"}</span>{" "}
                  <ConfirmForm
                    intent="revoke"
                    fields={{ id: t.id }}
                    question={`Revoke “${t.name}”?`}
                    label={`Revoke ${t.name}`}
                  >
                    Revoke
                  </ConfirmForm>
                </li>
              ))}
            </ul>
          </section>
          <section aria-labelledby="plugins-title">
            <h2 id="plugins-title">My plugins</h2>
            {plugins.length === 0 ? (
              <p className="empty">
                Nothing submitted yet. Run autopilot-plugin publish in your plugin's folder.
              </p>
            ) : (
              plugins.map((p) => (
                <article
                  key={p.pluginId}
                  className="card"
                  data-dev-plugin={p.pluginId}
                  data-installs={p.installs}
                  aria-labelledby={`dp-${p.pluginId}`}
                >
                  <h3 id={`dp-${p.pluginId}`}>
                    {p.pluginId}{" "}
                    <span className="muted small">
                      {p.category} · {p.installs === 1 ? "1 install" : `${p.installs} installs`}
                    </span>
                  </h3>
                  {p.errors.length ? (
                    <div className="table-wrap">
                      <table className="data-table">
                        <caption>Failures across installs, last 7 days</caption>
                        <thead>
                          <tr>
                            <th scope="col">Version</th>
                            <th scope="col">Code</th>
                            <th scope="col" className="num">
                              Failures
                            </th>
                            <th scope="col" className="num">
                              Installs
                            </th>
                            <th scope="col">Last</th>
                          </tr>
                        </thead>
                        <tbody>
                          {p.errors.map((e) => (
                            <tr key={`${e.version}-${e.code}`}>
                              <td>{e.version}</td>
                              <td className="mono">{e.code}</td>
                              <td className="num">{e.failures}</td>
                              <td className="num">{e.installs}</td>
                              <td>{when(e.lastAt)}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  ) : (
                    <p className="small muted">No failures in the last 7 days.</p>
                  )}
                  <ul className="plain">
                    {p.versions.map((v) => (
                      <VersionRow key={v.version} pluginId={p.pluginId} v={v} />
                    ))}
                  </ul>
                </article>
              ))
            )}
          </section>
        </>
      ) : null}
    </>
  );
}
