import { Form, Link } from "react-router";
import { Field, FormError, Submit } from "../components/form.js";
import { requireAdmin } from "../lib/admin.server.js";
import { api } from "../lib/api.server.js";
import { type FormErrors, formErrors, text } from "../lib/forms.js";
import type { Route } from "./+types/settings-workspace";

export const meta: Route.MetaFunction = () => [{ title: "Workspace · Settings · AutopilotCRM" }];

// The workspace's name, time zone (business hours, reports' days, new conversations) and language
// (the chat widget's words). Sign-up takes both from the browser; here they can be changed.

/** Languages the chat widget speaks; other tags are accepted by the API and fall back to English. */
const LANGUAGES = [
  ["en", "English"],
  ["de", "Deutsch"],
  ["fr", "Français"],
  ["es", "Español"],
] as const;

export async function loader({ request, context }: Route.LoaderArgs) {
  const client = api(request, context);
  const [, { data, response }, inbound, plugins] = await Promise.all([
    requireAdmin(request, context),
    client.GET("/v1/workspace"),
    client.GET("/v1/workspace/inbound-email"),
    client.GET("/v1/plugins/installs"),
  ]);
  if (!data) throw new Response("Could not load the workspace", { status: response.status });
  const emailChannel = plugins.data?.installs.find((i) => i.channel?.id === "email") ?? null;
  // Every zone the runtime knows, so the choice is a list, not a free-text guess.
  const zones = Intl.supportedValuesOf("timeZone");
  return {
    workspace: data,
    zones: zones.includes(data.timeZone) ? zones : [data.timeZone, ...zones],
    inboundAddress: inbound.data?.address ?? null,
    emailChannel: emailChannel && {
      id: emailChannel.id,
      name: emailChannel.name,
      status: emailChannel.status,
    },
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const form = await request.formData();
  const { error } = await api(request, context).PATCH("/v1/workspace", {
    body: { name: text(form, "name"), timeZone: text(form, "timeZone"), locale: text(form, "locale") },
  });
  if (error) return { errors: formErrors(error, ["name", "timeZone", "locale"]) };
  return { saved: true };
}

export default function WorkspaceSettings({ loaderData, actionData }: Route.ComponentProps) {
  const { workspace, zones, inboundAddress, emailChannel } = loaderData;
  const errors: FormErrors | undefined = actionData && "errors" in actionData ? actionData.errors : undefined;
  const language = workspace.locale.split("-")[0] ?? "en";
  const known = LANGUAGES.some(([tag]) => tag === language);
  return (
    <>
      <section className="card" aria-labelledby="workspace-title">
        <h2 id="workspace-title">Workspace</h2>
        <Form method="post" noValidate>
          <FormError errors={errors} />
          <Field name="name" label="Company name" defaultValue={workspace.name} errors={errors} required />
          <div className="field">
            <label htmlFor="field-timeZone">Time zone</label>
            <select id="field-timeZone" name="timeZone" defaultValue={workspace.timeZone}>
              {zones.map((z) => (
                <option key={z} value={z}>
                  {z.replace(/_/g, " ")}
                </option>
              ))}
            </select>
            <p className="hint">Business hours, report days and new conversations use it.</p>
            <p className="field-error" data-field-error="timeZone">
              {errors?.fields.timeZone ?? ""}
            </p>
          </div>
          <div className="field">
            <label htmlFor="field-locale">Language</label>
            <select id="field-locale" name="locale" defaultValue={known ? language : workspace.locale}>
              {known ? null : <option value={workspace.locale}>{workspace.locale}</option>}
              {LANGUAGES.map(([tag, name]) => (
                <option key={tag} value={tag}>
                  {name}
                </option>
              ))}
            </select>
            <p className="hint">The chat widget speaks to your customers in it.</p>
            <p className="field-error" data-field-error="locale">
              {errors?.fields.locale ?? ""}
            </p>
          </div>
          <Submit busy="Saving…">Save</Submit>
          <p className="status-line small" role="status">
            {actionData && "saved" in actionData ? "Saved." : ""}
          </p>
        </Form>
      </section>
      {inboundAddress ? (
        <section className="card" aria-labelledby="inbound-title">
          <h2 id="inbound-title">Inbound email</h2>
          <p>
            <code data-inbound-address>{inboundAddress}</code>
          </p>
          <p className="hint">
            Mail to this address becomes conversations in the inbox, answered by your assistant and your team
            in the same email thread. Forward your support address to it.
          </p>
          <p data-email-channel={emailChannel ? emailChannel.status : "none"}>
            {emailChannel ? (
              <>
                Taken by <Link to={`/settings/plugins?install=${emailChannel.id}`}>{emailChannel.name}</Link>
                {emailChannel.status === "paused" ? " (paused: mail waits until it is resumed)" : ""}.
              </>
            ) : (
              <>
                Not taken yet: install the Email channel plugin in{" "}
                <Link to="/settings/plugins">Settings → Plugins</Link>; until then mail to it is refused.
              </>
            )}
          </p>
        </section>
      ) : null}
    </>
  );
}
