import type { ReactNode } from "react";
import { Form, Link } from "react-router";
import type { components } from "../../lib/api-schema.js";
import { useFormats } from "../../lib/format.js";
import type { FormErrors } from "../../lib/forms.js";
import { ConfirmForm } from "../confirm-form.js";
import { FormError, Submit } from "../form.js";
import { PluginConfigFields } from "../plugin-config.js";

// One installed plugin on Settings → Plugins: what it was granted, its settings, pause and uninstall,
// the events it failed to take (deliver again) and its recent calls with their log lines.

type Install = components["schemas"]["PluginInstall"];

/** Actions an admin can run from here: those that need no input. */
const runnable = (i: Install) =>
  i.actions.filter((a) => !Array.isArray(a.input.required) || (a.input.required as unknown[]).length === 0);

export function InstallDetail({
  install: i,
  calls,
  dead,
  replayed,
  errors,
  saved,
  versions,
  inboundAddress,
  ran,
}: {
  install: Install;
  calls: components["schemas"]["PluginCall"][];
  dead: components["schemas"]["PluginDelivery"][];
  replayed: string | undefined;
  errors: FormErrors | undefined;
  saved: boolean;
  /** A marketplace install's version panel (upgrade, rollback, automatic upgrades). */
  versions?: ReactNode;
  /** An email channel's way in: the workspace's inbound address. */
  inboundAddress?: string | null;
  /** The answer of an action run by hand just now. */
  ran?: { name: string; value: string } | undefined;
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
      {versions}
      {i.webhooks.length > 0 ? (
        <>
          <h3>Webhooks</h3>
          <p className="muted small">
            Where its provider sends events; enter it where the provider asks for a webhook URL.
          </p>
          <ul className="plain">
            {i.webhooks.map((w) => (
              <li key={w.name}>
                {w.name}: <code data-webhook={w.name}>{w.url}</code>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {inboundAddress ? (
        <>
          <h3>Inbound address</h3>
          <p className="muted small">
            Mail to this address becomes conversations here. Give it to customers, or forward your support
            address to it.
          </p>
          <p>
            <code data-inbound-address>{inboundAddress}</code>
          </p>
        </>
      ) : null}
      {i.reports.some((r) => r.id === "sync_status") ? (
        <p>
          <Link to={`/settings/plugins/${i.id}/sync`}>Sync status and failed records</Link>
        </p>
      ) : null}
      {runnable(i).length > 0 ? (
        <>
          <h3>Run now</h3>
          <div className="actions">
            {runnable(i).map((a) => (
              <Form method="post" key={a.name}>
                <input type="hidden" name="intent" value="run-action" />
                <input type="hidden" name="id" value={i.id} />
                <input type="hidden" name="name" value={a.name} />
                <button type="submit" disabled={i.status !== "active"}>
                  {a.title}
                </button>
              </Form>
            ))}
          </div>
          {ran ? (
            <div role="status">
              <p className="small">{i.actions.find((a) => a.name === ran.name)?.title ?? ran.name}: done.</p>
              <pre className="excerpt" data-action-result={ran.name}>
                {ran.value}
              </pre>
            </div>
          ) : null}
        </>
      ) : null}
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
