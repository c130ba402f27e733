import { Form, Link, useSearchParams } from "react-router";
import { ConfirmForm } from "../components/confirm-form.js";
import { FormError, Submit } from "../components/form.js";
import { PluginConfigFields } from "../components/plugin-config.js";
import { requireAdmin } from "../lib/admin.server.js";
import { api } from "../lib/api.server.js";
import type { components } from "../lib/api-schema.js";
import { useFormats } from "../lib/format.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import { configFromForm } from "../lib/plugin-config.js";
import type { Route } from "./+types/settings-plugins";

// Settings → Plugins (issue 17, item 6): the workspace's plugins, with their status, what they were
// granted, their settings (a form generated from the plugin's schema), their recent calls and logs;
// pause, resume, uninstall; and installing a private plugin from its packed file, after consent.

export const meta: Route.MetaFunction = () => [{ title: "Plugins · Settings · AutopilotCRM" }];

type Install = components["schemas"]["PluginInstall"];
type Packed = components["schemas"]["PackedPlugin"];

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireAdmin(request, context);
  const client = api(request, context);
  const { data, response } = await client.GET("/v1/plugins/installs");
  if (!data) throw new Response("Could not load the plugins", { status: response.status });
  const selected = new URL(request.url).searchParams.get("install") ?? data.installs[0]?.id ?? null;
  const calls = selected
    ? ((
        await client.GET("/v1/plugins/installs/{id}/calls", {
          params: { path: { id: selected }, query: { limit: 20 } },
        })
      ).data?.calls ?? [])
    : [];
  const dead = selected
    ? ((
        await client.GET("/v1/plugins/installs/{id}/deliveries", {
          params: { path: { id: selected }, query: { status: "dead", limit: 20 } },
        })
      ).data?.deliveries ?? [])
    : [];
  return { installs: data.installs, selected, calls, dead };
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const client = api(request, context);
  const intent = text(form, "intent");
  const id = text(form, "id");
  if (intent === "inspect") {
    const file = form.get("file");
    if (!(file instanceof File) || file.size === 0)
      return { errors: { fields: { file: "Choose the plugin's .plugin.json file." } } satisfies FormErrors };
    let pkg: Packed;
    try {
      pkg = JSON.parse(await file.text()) as Packed;
    } catch {
      return {
        errors: { fields: { file: "This is not a packed plugin (autopilot-plugin pack writes one)." } },
      };
    }
    const { data, error } = await client.POST("/v1/plugins/inspect", { body: { package: pkg } });
    if (!data) return { errors: formErrors(error, ["file"]) };
    return { inspected: data, packageJson: JSON.stringify(pkg) };
  }
  if (intent === "install") {
    const pkg = JSON.parse(text(form, "package")) as Packed;
    const inspected = JSON.parse(text(form, "inspected")) as {
      permissions: { permission: string }[];
      hosts: string[];
    };
    if (form.get("consent") !== "on")
      return {
        errors: { fields: { consent: "Grant the permissions and hosts to install the plugin." } },
        inspected: JSON.parse(text(form, "inspectedFull")),
        packageJson: text(form, "package"),
      };
    const { data, error } = await client.POST("/v1/plugins/installs", {
      body: {
        package: pkg,
        grant: { permissions: inspected.permissions.map((p) => p.permission), hosts: inspected.hosts },
        config: configFromForm(pkg.manifest.config, form),
      },
    });
    if (!data)
      return {
        errors: formErrors(
          error,
          Object.keys((pkg.manifest.config as { properties?: object })?.properties ?? {}).map(
            (k) => `config.${k}`,
          ),
        ),
        inspected: JSON.parse(text(form, "inspectedFull")),
        packageJson: text(form, "package"),
      };
    return { installed: data.name };
  }
  if (intent === "config") {
    const schema = JSON.parse(text(form, "schema"));
    const { data, error } = await client.PUT("/v1/plugins/installs/{id}/config", {
      params: { path: { id } },
      body: { config: configFromForm(schema, form) },
    });
    if (!data) {
      const fields = Object.keys((schema as { properties?: object }).properties ?? {}).map(
        (k) => `config.${k}`,
      );
      return { errors: formErrors(error, fields), configFor: id };
    }
    return { saved: id };
  }
  if (intent === "pause" || intent === "resume") {
    const path = intent === "pause" ? "/v1/plugins/installs/{id}/pause" : "/v1/plugins/installs/{id}/resume";
    const { error } = await client.POST(path, { params: { path: { id } } });
    return error ? { errors: formErrors(error, []) } : null;
  }
  if (intent === "replay") {
    const { error } = await client.POST("/v1/plugins/installs/{id}/deliveries/{eventId}/replay", {
      params: { path: { id, eventId: text(form, "eventId") } },
    });
    return error ? { errors: formErrors(error, []) } : { replayed: text(form, "eventId") };
  }
  if (intent === "uninstall") {
    const { error } = await client.DELETE("/v1/plugins/installs/{id}", { params: { path: { id } } });
    return error ? { errors: formErrors(error, []) } : { uninstalled: true };
  }
  return { errors: { fields: {}, form: "Unknown action" } satisfies FormErrors };
}

export default function Plugins({ loaderData, actionData }: Route.ComponentProps) {
  const { installs, selected, calls, dead } = loaderData;
  const data = (actionData ?? {}) as {
    errors?: FormErrors;
    inspected?: components["schemas"]["PluginInspection"];
    packageJson?: string;
    installed?: string;
    saved?: string;
    configFor?: string;
    replayed?: string;
  };
  const current = installs.find((i) => i.id === selected);
  return (
    <>
      {data.installed ? (
        <p className="success spaced" role="status">
          {data.installed} is installed.
        </p>
      ) : null}
      <section className="card" aria-labelledby="installed-title">
        <h2 id="installed-title">Installed plugins</h2>
        {installs.length === 0 ? (
          <p className="empty">No plugins yet. Install one from its packed file below.</p>
        ) : (
          <ul className="plain plugin-list">
            {installs.map((i) => (
              <li key={i.id}>
                <Link to={`?install=${i.id}`} aria-current={i.id === selected ? "true" : undefined}>
                  {i.name}
                </Link>{" "}
                <span className="muted small">
                  {i.pluginId} {i.version} ·{" "}
                  {i.status === "active" ? "active" : `paused: ${i.pausedReason ?? ""}`}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      {current ? (
        <InstallDetail
          install={current}
          calls={calls}
          dead={dead}
          replayed={data.replayed}
          errors={data.configFor === current.id || !data.configFor ? data.errors : undefined}
          saved={data.saved === current.id}
        />
      ) : null}
      <InstallForm
        errors={data.inspected || !data.configFor ? data.errors : undefined}
        inspected={data.inspected}
        packageJson={data.packageJson}
      />
    </>
  );
}

function InstallDetail({
  install: i,
  calls,
  dead,
  replayed,
  errors,
  saved,
}: {
  install: Install;
  calls: components["schemas"]["PluginCall"][];
  dead: components["schemas"]["PluginDelivery"][];
  replayed: string | undefined;
  errors: FormErrors | undefined;
  saved: boolean;
}) {
  const { when } = useFormats();
  return (
    <section className="card" aria-labelledby="plugin-title" data-plugin={i.pluginId}>
      <h2 id="plugin-title">
        {i.name} <span className="muted small">{i.version}</span>
      </h2>
      {i.description ? <p>{i.description}</p> : null}
      <p role="status" data-plugin-status={i.status}>
        {i.status === "active" ? "Active." : `Paused: ${i.pausedReason ?? "by an admin"}.`}
      </p>
      <h3>Granted</h3>
      <ul className="plain">
        {i.permissions.map((p) => (
          <li key={p.permission}>{p.text}</li>
        ))}
        {i.hosts.map((h) => (
          <li key={h}>Connect to {h}</li>
        ))}
        {i.permissions.length + i.hosts.length === 0 ? <li>Nothing beyond running its own code.</li> : null}
      </ul>
      <h3>Settings</h3>
      <Form method="post" noValidate>
        <input type="hidden" name="intent" value="config" />
        <input type="hidden" name="id" value={i.id} />
        <input type="hidden" name="schema" value={JSON.stringify(i.configSchema)} />
        <FormError errors={errors} />
        <PluginConfigFields
          schema={i.configSchema}
          values={i.config}
          secretsSet={i.secretsSet}
          errors={errors}
          idPrefix={`cfg-${i.id}`}
        />
        <Submit busy="Saving…">Save settings</Submit>
        <p className="success-line" role="status">
          {saved ? "Settings saved." : ""}
        </p>
      </Form>
      <div className="actions">
        <Form method="post">
          <input type="hidden" name="id" value={i.id} />
          <button type="submit" name="intent" value={i.status === "active" ? "pause" : "resume"}>
            {i.status === "active" ? "Pause" : "Resume"}
          </button>
        </Form>
        <ConfirmForm
          intent="uninstall"
          fields={{ id: i.id }}
          question={`Uninstall ${i.name}? Its stored data goes with it.`}
          label={`Uninstall ${i.name}`}
        >
          Uninstall
        </ConfirmForm>
      </div>
      {dead.length ? (
        <>
          <h3>Events it failed to take</h3>
          <p className="muted small">
            Tried with backoff and given up on; deliver them again once the cause is fixed.
          </p>
          <ul className="plain" data-dead-deliveries="">
            {dead.map((d) => (
              <li key={d.eventId}>
                <Form method="post" className="inline-form">
                  <input type="hidden" name="intent" value="replay" />
                  <input type="hidden" name="id" value={i.id} />
                  <input type="hidden" name="eventId" value={d.eventId} />
                  <span>
                    {d.eventType} · {when(d.updatedAt)} · {d.lastError ?? ""}
                  </span>{" "}
                  <button type="submit" aria-label={`Deliver ${d.eventType} again`}>
                    Deliver again
                  </button>
                </Form>
              </li>
            ))}
          </ul>
          <p className="success-line" role="status">
            {replayed ? "Queued again." : ""}
          </p>
        </>
      ) : null}
      <h3>Recent calls</h3>
      {calls.length === 0 ? (
        <p className="muted small">No calls yet.</p>
      ) : (
        <div className="table-wrap">
          <table className="data-table">
            <caption className="visually-hidden">Recent calls of {i.name}</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Call</th>
                <th scope="col">Outcome</th>
                <th scope="col" className="num">
                  ms
                </th>
              </tr>
            </thead>
            <tbody>
              {calls.map((c) => (
                <tr key={c.id} data-call={c.kind}>
                  <td>{when(c.createdAt)}</td>
                  <td>
                    {c.kind}
                    {c.name ? ` ${c.name}` : ""}
                    {c.logs.length ? (
                      <details>
                        <summary>{c.logs.length} log lines</summary>
                        <pre className="small">
                          {c.logs
                            .map((l) => {
                              const line = l as { level?: string; message?: string; data?: unknown };
                              return `${line.level ?? ""} ${line.message ?? ""}${line.data ? ` ${JSON.stringify(line.data)}` : ""}`;
                            })
                            .join("\n")}
                        </pre>
                      </details>
                    ) : null}
                  </td>
                  <td>{c.ok ? "ok" : `${c.code}: ${c.error ?? ""}`}</td>
                  <td className="num">{c.ms}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function InstallForm({
  errors,
  inspected,
  packageJson,
}: {
  errors: FormErrors | undefined;
  inspected: components["schemas"]["PluginInspection"] | undefined;
  packageJson: string | undefined;
}) {
  const [params] = useSearchParams();
  if (inspected && packageJson) {
    const manifest = inspected.manifest as { name?: string; version?: string; id?: string; config?: unknown };
    return (
      <section className="card" aria-labelledby="consent-title">
        <h2 id="consent-title">
          Install {manifest.name} {manifest.version}?
        </h2>
        <p>{manifest.id} asks to:</p>
        <ul data-consent="">
          {inspected.permissions.map((p) => (
            <li key={p.permission}>{p.text}</li>
          ))}
          {inspected.hosts.map((h) => (
            <li key={h}>Connect to {h}</li>
          ))}
          {inspected.permissions.length + inspected.hosts.length === 0 ? (
            <li>Nothing beyond running its own code.</li>
          ) : null}
        </ul>
        <Form method="post" noValidate action={`?${params.toString()}`}>
          <input type="hidden" name="intent" value="install" />
          <input type="hidden" name="package" value={packageJson} />
          <input
            type="hidden"
            name="inspected"
            value={JSON.stringify({ permissions: inspected.permissions, hosts: inspected.hosts })}
          />
          <input type="hidden" name="inspectedFull" value={JSON.stringify(inspected)} />
          <FormError errors={errors} />
          <PluginConfigFields
            schema={manifest.config}
            values={{}}
            secretsSet={[]}
            errors={errors}
            idPrefix="new"
          />
          <label className="check">
            <input type="checkbox" name="consent" aria-describedby="consent-error" /> I grant everything
            listed above
          </label>
          <p id="consent-error" className="field-error" data-field-error="consent">
            {errors?.fields.consent ?? ""}
          </p>
          <Submit busy="Installing…">Install</Submit>
        </Form>
      </section>
    );
  }
  return (
    <section className="card" aria-labelledby="upload-title">
      <h2 id="upload-title">Install a private plugin</h2>
      <p className="muted small">
        A plugin packed with <code>autopilot-plugin pack</code>. You see what it asks for before anything is
        installed.
      </p>
      <Form method="post" encType="multipart/form-data" noValidate>
        <input type="hidden" name="intent" value="inspect" />
        <FormError errors={errors} />
        <div className="field">
          <label htmlFor="plugin-file">Packed plugin (.plugin.json)</label>
          <input
            id="plugin-file"
            name="file"
            type="file"
            accept=".json,application/json"
            aria-invalid={errors?.fields.file ? true : undefined}
            aria-describedby="plugin-file-error"
          />
          <p id="plugin-file-error" className="field-error" data-field-error="file">
            {errors?.fields.file ?? ""}
          </p>
        </div>
        <Submit busy="Reading…">Review permissions</Submit>
      </Form>
    </section>
  );
}
