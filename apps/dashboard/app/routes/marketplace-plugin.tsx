import { Form, Link, useRouteLoaderData } from "react-router";
import { FormError, Submit } from "../components/form.js";
import { Asks, ConsentCheck, Verified } from "../components/marketplace/asks.js";
import { Readme } from "../components/marketplace/readme.js";
import { PluginConfigFields } from "../components/plugin-config.js";
import { api } from "../lib/api.server.js";
import { useFormats } from "../lib/format.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import { allows, type Role } from "../lib/nav.js";
import { configFromForm, configProperties } from "../lib/plugin-config.js";
import adminStyles from "../styles/admin.css?url";
import marketplaceStyles from "../styles/marketplace.css?url";
import type { Route } from "./+types/marketplace-plugin";
import type { loader as layoutLoader } from "./app-layout";

// A plugin's page (issue 19): its README (rendered safely), publisher and verified badge, install
// count, what it asks for in plain words, its versions with changelogs; and for admins the consent
// screen: every permission and host listed, its settings form, installed only with the grant ticked.

export const links: Route.LinksFunction = () => [
  { rel: "stylesheet", href: adminStyles },
  { rel: "stylesheet", href: marketplaceStyles },
];
export const meta: Route.MetaFunction = ({ data }) => [
  { title: `${data?.plugin.name ?? "Plugin"} · Marketplace · AutopilotCRM` },
];

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const client = api(request, context);
  const path = { publisher: params.publisher, name: params.name };
  const [listed, installed] = await Promise.all([
    client.GET("/v1/marketplace/plugins/{publisher}/{name}", { params: { path } }),
    client.GET("/v1/plugins/installs"),
  ]);
  if (!listed.data) throw new Response("No such plugin", { status: listed.response.status });
  const install = installed.data?.installs.find((i) => i.pluginId === listed.data.pluginId) ?? null;
  return { plugin: listed.data, install };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const form = await request.formData();
  const client = api(request, context);
  const path = { publisher: params.publisher, name: params.name };
  const { data: plugin } = await client.GET("/v1/marketplace/plugins/{publisher}/{name}", {
    params: { path },
  });
  if (!plugin)
    return { errors: { fields: {}, form: "This plugin is no longer listed." } satisfies FormErrors };
  if (form.get("consent") !== "on")
    return {
      errors: {
        fields: { consent: "Tick the box to grant what it asks for, or do not install it." },
      } satisfies FormErrors,
    };
  // The grant is what the page showed (the version in the form); the API refuses it if that changed.
  const { data, error } = await client.POST("/v1/marketplace/plugins/{publisher}/{name}/install", {
    params: { path },
    body: {
      version: text(form, "version"),
      grant: {
        permissions: JSON.parse(text(form, "permissions")) as string[],
        hosts: JSON.parse(text(form, "hosts")) as string[],
      },
      config: configFromForm(plugin.configSchema, form),
      autoUpgrade: form.get("autoUpgrade") === "on",
    },
  });
  if (!data)
    return {
      errors: formErrors(
        error,
        configProperties(plugin.configSchema).map((p) => `config.${p.name}`),
      ),
    };
  return { installed: data.id };
}

export default function MarketplacePlugin({ loaderData, actionData }: Route.ComponentProps) {
  const { plugin: p, install } = loaderData;
  const layout = useRouteLoaderData<typeof layoutLoader>("routes/app-layout");
  const isAdmin = layout ? allows(layout.me.role as Role, "admin") : false;
  const errors = actionData && "errors" in actionData ? actionData.errors : undefined;
  const { when } = useFormats();
  return (
    <>
      <p className="small">
        <Link to="/marketplace">← Marketplace</Link>
      </p>
      <h1>{p.name}</h1>
      <p>
        by {p.publisher.name} <Verified verified={p.publisher.verified} />
        {p.publisher.website ? (
          <>
            {" "}
            ·{" "}
            <a href={p.publisher.website} rel="noopener noreferrer nofollow">
              website
            </a>
          </>
        ) : null}{" "}
        · support: <a href={`mailto:${p.publisher.supportEmail}`}>{p.publisher.supportEmail}</a>
      </p>
      <p className="muted">
        {p.description} · version {p.latestVersion} ·{" "}
        {p.installs === 1 ? "used by 1 workspace" : `used by ${p.installs} workspaces`}
      </p>
      <section className="card" aria-labelledby="asks-title">
        <h2 id="asks-title">What it asks for</h2>
        <Asks permissions={p.permissions} hosts={p.hosts} />
        <p className="small">{p.riskWords}</p>
      </section>
      {install ? (
        <p className="success" role="status" data-installed="">
          Installed ({install.version}). Manage it in{" "}
          <Link to={`/settings/plugins?install=${install.id}`}>Settings → Plugins</Link>.
        </p>
      ) : isAdmin ? (
        <section className="card" aria-labelledby="install-title">
          <h2 id="install-title">
            Install {p.name} {p.latestVersion}
          </h2>
          <Form method="post" noValidate>
            <input type="hidden" name="version" value={p.latestVersion} />
            <input
              type="hidden"
              name="permissions"
              value={JSON.stringify(p.permissions.map((x) => x.permission))}
            />
            <input type="hidden" name="hosts" value={JSON.stringify(p.hosts)} />
            <FormError errors={errors} />
            <PluginConfigFields
              schema={p.configSchema}
              values={{}}
              secretsSet={[]}
              errors={errors}
              idPrefix="install"
            />
            <label className="check">
              <input type="checkbox" name="autoUpgrade" /> Take bug-fix releases (same minor version) by
              themselves, never one that asks for more
            </label>
            <ConsentCheck id="consent" error={errors?.fields.consent}>
              I grant {p.name} everything listed under “What it asks for”
            </ConsentCheck>
            <Submit busy="Installing…">Install</Submit>
          </Form>
        </section>
      ) : (
        <p className="muted">Ask an admin of your workspace to install it.</p>
      )}
      <section aria-labelledby="readme-title">
        <h2 id="readme-title">About</h2>
        <Readme source={p.readme} />
      </section>
      <section aria-labelledby="versions-title">
        <h2 id="versions-title">Versions</h2>
        <ul className="plain" data-versions="">
          {p.versions.map((v) => (
            <li key={v.version}>
              <strong>{v.version}</strong> <span className="muted small">{v.status}</span>
              {v.publishedAt ? <span className="muted small"> · {when(v.publishedAt)}</span> : null}
              {v.changelog ? <p className="small">{v.changelog}</p> : null}
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}
