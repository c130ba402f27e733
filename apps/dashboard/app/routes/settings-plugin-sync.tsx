import { Fragment } from "react";
import { Form, Link } from "react-router";
import { requireAdmin } from "../lib/admin.server.js";
import { api } from "../lib/api.server.js";
import { useFormats } from "../lib/format.js";
import { formErrors, text } from "../lib/forms.js";
import crmStyles from "../styles/crm.css?url";
import type { Route } from "./+types/settings-plugin-sync";

// A CRM sync's own screen (Settings → Plugins → Sync): where it stands (last run, up to date, a rate
// limit's pause), how many records went each way per kind, and each record that failed with the
// reason, retried one at a time or all at once. It reads the plugin's sync_status report and runs
// its actions (sync_now, retry_errors, retry_record): nothing of the plugin runs in the page.

export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: crmStyles }];
export const meta: Route.MetaFunction = ({ data }) => [
  { title: `${data?.install.name ?? "Sync"} · Plugins · Settings · AutopilotCRM` },
];

type Row = {
  section: "summary" | "totals" | "failed";
  what: string;
  value: string | number | null;
  type: string | null;
  side: "pull" | "push" | null;
  id: string | null;
  at: string | null;
};

export async function loader({ request, context, params }: Route.LoaderArgs) {
  await requireAdmin(request, context);
  const client = api(request, context);
  const { data: install, response } = await client.GET("/v1/plugins/installs/{id}", {
    params: { path: { id: params.installId } },
  });
  if (!install) throw new Response("No such plugin", { status: response.status });
  if (!install.reports.some((r) => r.id === "sync_status"))
    throw new Response("This plugin is not a CRM sync", { status: 404 });
  const status = await client.POST("/v1/plugins/installs/{id}/reports/{reportId}", {
    params: { path: { id: install.id, reportId: "sync_status" } },
    body: { parameters: {} },
  });
  const rows = (status.data?.rows ?? []) as Row[];
  return { install, rows, unavailable: status.data ? null : "The plugin did not answer; try again." };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  await requireAdmin(request, context);
  const form = await request.formData();
  const client = api(request, context);
  const intent = text(form, "intent");
  const name = ["sync_now", "retry_errors", "retry_record"].includes(intent) ? intent : null;
  if (!name) return { error: "Unknown action." };
  const input =
    name === "retry_record"
      ? { type: text(form, "type"), side: text(form, "side"), id: text(form, "recordId") }
      : {};
  const { data, error } = await client.POST("/v1/plugins/installs/{id}/actions/{name}", {
    params: { path: { id: params.installId, name } },
    body: { input },
  });
  if (!data) return { error: formErrors(error, []).form ?? "The plugin refused." };
  const v = (data.value ?? {}) as Record<string, number | boolean | undefined>;
  if (v.busy) return { done: "Another run is under way (the background sync): try again in a few seconds." };
  if (name === "sync_now")
    return {
      done: v.paused
        ? "The provider asked to wait: the sync is paused for now."
        : `Synced: ${v.pulled ?? 0} in, ${v.pushed ?? 0} out, ${v.failed ?? 0} failed${v.caughtUp ? "; up to date." : "; more next run."}`,
    };
  if (name === "retry_record" && v.found === false) return { done: "That record is no longer in the list." };
  return { done: `Retried ${v.retried ?? 0}: ${v.fixed ?? 0} went through, ${v.failed ?? 0} failed again.` };
}

/** The summary's times (last run, a pause's end) are ISO strings. */
const isTime = (v: unknown) => typeof v === "string" && /^\d{4}-\d{2}-\d{2}T/.test(v);

const KIND = { contact: "Contacts", company: "Companies", deal: "Deals" } as Record<string, string>;
const capitalised = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export default function PluginSync({ loaderData, actionData }: Route.ComponentProps) {
  const { install, rows, unavailable } = loaderData;
  const { when } = useFormats();
  const summary = rows.filter((r) => r.section === "summary");
  const totals = rows.filter((r) => r.section === "totals");
  const failed = rows.filter((r) => r.section === "failed");
  const kinds = [...new Set(totals.flatMap((r) => (r.type ? [r.type] : [])))];
  const active = install.status === "active";
  return (
    <>
      <p className="small">
        <Link to={`/settings/plugins?install=${install.id}`}>← {install.name}</Link>
      </p>
      <h2>{install.name}: sync</h2>
      {actionData && "error" in actionData ? (
        <p className="error" role="alert">
          {actionData.error}
        </p>
      ) : null}
      <p className="success-line" role="status">
        {actionData && "done" in actionData ? actionData.done : ""}
      </p>
      {unavailable ? (
        <p className="error" role="alert">
          {unavailable}
        </p>
      ) : null}
      {!active ? <p>The plugin is paused: resume it to sync.</p> : null}
      <section className="card" aria-labelledby="sync-state">
        <h3 id="sync-state">Where it stands</h3>
        <dl className="facts" data-sync-summary>
          {summary.map((r) => (
            <Fragment key={r.what}>
              <dt>{r.what}</dt>
              <dd>{isTime(r.value) ? when(String(r.value)) : (r.value ?? "—")}</dd>
            </Fragment>
          ))}
        </dl>
        <div className="actions">
          <Form method="post">
            <button type="submit" name="intent" value="sync_now" className="primary" disabled={!active}>
              Sync now
            </button>
          </Form>
          <Form method="post">
            <button
              type="submit"
              name="intent"
              value="retry_errors"
              disabled={!active || failed.length === 0}
            >
              Retry all failed
            </button>
          </Form>
        </div>
      </section>
      <section className="card" aria-labelledby="sync-totals">
        <h3 id="sync-totals">Records moved, all runs</h3>
        {kinds.length === 0 ? (
          <p className="empty">Nothing synced yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-sync-totals>
              <thead>
                <tr>
                  <th scope="col">Records</th>
                  <th scope="col" className="num">
                    In
                  </th>
                  <th scope="col" className="num">
                    Out
                  </th>
                  <th scope="col" className="num">
                    Deleted there
                  </th>
                </tr>
              </thead>
              <tbody>
                {kinds.map((type) => {
                  const count = (side: Row["side"]) =>
                    totals.find((r) => r.type === type && r.side === side)?.value ?? 0;
                  return (
                    <tr key={type} data-sync-kind={type}>
                      <th scope="row">{KIND[type] ?? type}</th>
                      <td className="num">{count("pull")}</td>
                      <td className="num">{count("push")}</td>
                      <td className="num">{count(null)}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="sync-failed">
        <h3 id="sync-failed">Failed records</h3>
        <p className="muted small">
          Each run tries these again first; retry one now once its cause is fixed (in either system).
        </p>
        {failed.length === 0 ? (
          <p className="empty">No record failed.</p>
        ) : (
          <div className="table-wrap">
            <table className="table" data-sync-failed>
              <caption className="visually-hidden">Records that failed to sync</caption>
              <thead>
                <tr>
                  <th scope="col">Record</th>
                  <th scope="col">Why</th>
                  <th scope="col" className="hide-narrow">
                    When
                  </th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {failed.map((r) => (
                  <tr key={`${r.type}:${r.side}:${r.id}`} data-failed-record={r.id}>
                    <td>{capitalised(r.what)}</td>
                    <td>{r.value}</td>
                    <td className="hide-narrow small">{r.at ? when(r.at) : ""}</td>
                    <td>
                      <Form method="post">
                        <input type="hidden" name="type" value={r.type ?? ""} />
                        <input type="hidden" name="side" value={r.side ?? ""} />
                        <input type="hidden" name="recordId" value={r.id ?? ""} />
                        <button
                          type="submit"
                          name="intent"
                          value="retry_record"
                          disabled={!active}
                          aria-label={`Retry ${r.what}`}
                        >
                          Retry
                        </button>
                      </Form>
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
