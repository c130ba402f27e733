import { Form } from "react-router";
import type { components } from "../../lib/api-schema.js";
import type { FormErrors } from "../../lib/forms.js";
import { Submit } from "../form.js";
import { ConsentCheck } from "../marketplace/asks.js";

// A marketplace install's versions on Settings → Plugins: the newer version with what it adds or
// drops (consent asked again when it wants more), rollback to the version it replaced, and whether
// bug-fix releases come by themselves.

type Install = components["schemas"]["PluginInstall"];
type Preview = components["schemas"]["UpgradePreview"];

export function UpgradePanel({
  install: i,
  preview,
  errors,
}: {
  install: Install;
  preview: Preview | null;
  errors: FormErrors | undefined;
}) {
  const available = preview?.available ? preview : null;
  return (
    <section aria-labelledby="versions-title" data-upgrade-panel="">
      <h3 id="versions-title">Version</h3>
      {available ? (
        <Form method="post" noValidate className="upgrade-offer" data-upgrade={available.to}>
          <input type="hidden" name="intent" value="upgrade" />
          <input type="hidden" name="id" value={i.id} />
          <input type="hidden" name="version" value={available.to} />
          <p>
            <strong>{available.to} is available</strong> (you run {available.from}).
          </p>
          {available.changelog ? <p className="small">{available.changelog}</p> : null}
          {available.needsConsent ? (
            <>
              <p className="diff-added">It asks for more than you granted:</p>
              <ul data-permission-diff="">
                {available.addedPermissions.map((p) => (
                  <li key={p}>New permission: {p}</li>
                ))}
                {available.addedHosts.map((h) => (
                  <li key={h}>New host: {h}</li>
                ))}
              </ul>
              <ConsentCheck id="upgrade-consent" error={errors?.fields.consent}>
                I grant what {available.to} adds
              </ConsentCheck>
            </>
          ) : (
            <p className="small muted">It asks for nothing new.</p>
          )}
          {available.removedPermissions.length + available.removedHosts.length ? (
            <p className="small">
              It no longer needs: {[...available.removedPermissions, ...available.removedHosts].join(", ")}.
            </p>
          ) : null}
          <Submit busy="Upgrading…">Upgrade to {available.to}</Submit>
        </Form>
      ) : (
        <p className="small muted">This is the newest published version.</p>
      )}
      <div className="actions">
        {i.previousVersion ? (
          <Form method="post">
            <input type="hidden" name="id" value={i.id} />
            <button type="submit" name="intent" value="rollback">
              Roll back to {i.previousVersion}
            </button>
          </Form>
        ) : null}
        <Form method="post">
          <input type="hidden" name="id" value={i.id} />
          <input type="hidden" name="autoUpgrade" value={i.autoUpgrade ? "false" : "true"} />
          <button type="submit" name="intent" value="auto-upgrade" aria-pressed={i.autoUpgrade}>
            {i.autoUpgrade ? "Stop automatic bug-fix upgrades" : "Take bug-fix upgrades automatically"}
          </button>
        </Form>
      </div>
    </section>
  );
}
