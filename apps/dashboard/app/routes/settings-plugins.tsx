import { Link } from "react-router";
import { InstallDetail } from "../components/plugins/install-detail.js";
import { InstallForm } from "../components/plugins/install-form.js";
import { UpgradePanel } from "../components/plugins/upgrade-panel.js";
import { requireAdmin } from "../lib/admin.server.js";
import { api } from "../lib/api.server.js";
import type { components } from "../lib/api-schema.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import { configFromForm } from "../lib/plugin-config.js";
import type { Route } from "./+types/settings-plugins";

// Settings → Plugins (issue 17, item 6): the workspace's plugins, with their status, what they were
// granted, their settings (a form generated from the plugin's schema), their recent calls and logs;
// pause, resume, uninstall; and installing a private plugin from its packed file, after consent.

export const meta: Route.MetaFunction = () => [{ title: "Plugins · Settings · AutopilotCRM" }];

type Packed = components["schemas"]["PackedPlugin"];

export async function loader({ request, context }: Route.LoaderArgs) {
  const client = api(request, context);
  const [, { data, response }] = await Promise.all([
    requireAdmin(request, context),
    client.GET("/v1/plugins/installs"),
  ]);
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
  const current = data.installs.find((i) => i.id === selected);
  const preview =
    current?.source === "marketplace"
      ? ((
          await client.GET("/v1/plugins/installs/{id}/upgrade", {
            params: { path: { id: current.id }, query: {} },
          })
        ).data ?? null)
      : null;
  // An email channel receives the workspace's mail: its page shows the address customers write to.
  const inboundAddress =
    current?.channel?.id === "email"
      ? ((await client.GET("/v1/workspace/inbound-email")).data?.address ?? null)
      : null;
  return { installs: data.installs, selected, calls, dead, preview, inboundAddress };
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
  if (intent === "run-action") {
    const name = text(form, "name");
    const { data, error } = await client.POST("/v1/plugins/installs/{id}/actions/{name}", {
      params: { path: { id, name } },
      body: { input: {} },
    });
    if (!data) return { errors: formErrors(error, []) };
    return { ran: { name, value: JSON.stringify(data.value ?? null, null, 2) } };
  }
  if (intent === "replay") {
    const { error } = await client.POST("/v1/plugins/installs/{id}/deliveries/{eventId}/replay", {
      params: { path: { id, eventId: text(form, "eventId") } },
    });
    return error ? { errors: formErrors(error, []) } : { replayed: text(form, "eventId") };
  }
  if (intent === "upgrade") {
    const version = text(form, "version");
    const { data: preview } = await client.GET("/v1/plugins/installs/{id}/upgrade", {
      params: { path: { id }, query: { version } },
    });
    const { data: install } = await client.GET("/v1/plugins/installs/{id}", { params: { path: { id } } });
    if (!preview || !install) return { errors: { fields: {}, form: "That version is no longer available." } };
    if (preview.needsConsent && form.get("consent") !== "on")
      return { errors: { fields: { consent: `Grant what ${version} adds, or stay on ${preview.from}.` } } };
    // The grant names what the new version asks for: what is granted, plus what it adds, minus what it drops.
    const keep = (have: string[], add: string[], drop: string[]) =>
      [...new Set([...have, ...add])].filter((x) => !drop.includes(x));
    const { error } = await client.POST("/v1/plugins/installs/{id}/upgrade", {
      params: { path: { id } },
      body: {
        version,
        grant: {
          permissions: keep(
            install.permissions.map((p) => p.permission),
            preview.addedPermissions,
            preview.removedPermissions,
          ),
          hosts: keep(install.hosts, preview.addedHosts, preview.removedHosts),
        },
      },
    });
    return error ? { errors: formErrors(error, []) } : { upgraded: version };
  }
  if (intent === "rollback") {
    const { data, error } = await client.POST("/v1/plugins/installs/{id}/rollback", {
      params: { path: { id } },
    });
    return data ? { upgraded: data.version } : { errors: formErrors(error, []) };
  }
  if (intent === "auto-upgrade") {
    const { error } = await client.PUT("/v1/plugins/installs/{id}/auto-upgrade", {
      params: { path: { id } },
      body: { autoUpgrade: text(form, "autoUpgrade") === "true" },
    });
    return error ? { errors: formErrors(error, []) } : null;
  }
  if (intent === "uninstall") {
    const { error } = await client.DELETE("/v1/plugins/installs/{id}", { params: { path: { id } } });
    return error ? { errors: formErrors(error, []) } : { uninstalled: true };
  }
  return { errors: { fields: {}, form: "Unknown action" } satisfies FormErrors };
}

export default function Plugins({ loaderData, actionData }: Route.ComponentProps) {
  const { installs, selected, calls, dead, preview, inboundAddress } = loaderData;
  const data = (actionData ?? {}) as {
    errors?: FormErrors;
    inspected?: components["schemas"]["PluginInspection"];
    packageJson?: string;
    installed?: string;
    saved?: string;
    configFor?: string;
    replayed?: string;
    upgraded?: string;
    ran?: { name: string; value: string };
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
          <p className="empty">
            No plugins yet. Find one in the <Link to="/marketplace">marketplace</Link>, or install your own
            from its packed file below.
          </p>
        ) : (
          <ul className="plain plugin-list">
            {installs.map((i) => (
              <li key={i.id}>
                <Link to={`?install=${i.id}`} aria-current={i.id === selected ? "true" : undefined}>
                  {i.name}
                </Link>{" "}
                <span className="muted small">
                  {i.pluginId} {i.version} · {i.source === "private" ? "private · " : ""}
                  {i.status === "active" ? "active" : `paused: ${i.pausedReason ?? ""}`}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      {data.upgraded ? (
        <p className="success spaced" role="status">
          Now running {data.upgraded}.
        </p>
      ) : null}
      {current ? (
        <InstallDetail
          install={current}
          calls={calls}
          dead={dead}
          replayed={data.replayed}
          errors={data.configFor === current.id || !data.configFor ? data.errors : undefined}
          saved={data.saved === current.id}
          inboundAddress={inboundAddress}
          ran={data.ran}
          versions={
            current.source === "marketplace" ? (
              <UpgradePanel install={current} preview={preview} errors={data.errors} />
            ) : null
          }
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
