import { Form, useSearchParams } from "react-router";
import type { components } from "../../lib/api-schema.js";
import type { FormErrors } from "../../lib/forms.js";
import { FormError, Submit } from "../form.js";
import { ConsentCheck } from "../marketplace/asks.js";
import { PluginConfigFields } from "../plugin-config.js";

// Installing a private plugin: its packed file first, then the consent screen (everything it asks for,
// in words) with its settings form, installed only with the grant checked.

export function InstallForm({
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
          <ConsentCheck id="consent" error={errors?.fields.consent}>
            I grant everything listed above
          </ConsentCheck>
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
