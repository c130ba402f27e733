import { type Manifest, ManifestSchema, PERMISSION_TEXT, type Permission } from "@autopilot/sdk";
import { AppError } from "../domain/errors.js";
import type { Env } from "../env.js";
import { putBundle, sha256Of } from "./bundles.js";
import { secretFields } from "./config.js";
import type { InstallRecord } from "./installs.js";

// A packed plugin (what `autopilot-plugin pack` writes) taken in: its checksum checked, its manifest
// validated, its bundle stored content-addressed. And how installs read to people.

export type Packed = { format: 1; manifest: Record<string, unknown>; bundle: string; sha256: string };

export async function acceptPackage(
  env: Pick<Env, "PLUGIN_BUNDLES">,
  packed: Packed,
): Promise<{ manifest: Manifest; sha256: string; bytes: number }> {
  const bytes = new TextEncoder().encode(packed.bundle);
  if ((await sha256Of(bytes)) !== packed.sha256)
    throw new AppError(
      "invalid_request",
      "sha256: does not match the bundle (the file is damaged or was changed)",
    );
  const parsed = ManifestSchema.safeParse(packed.manifest);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AppError("invalid_request", `manifest.${issue?.path.join(".")}: ${issue?.message}`);
  }
  return { manifest: parsed.data, sha256: await putBundle(env, packed.bundle), bytes: bytes.length };
}

export const permissionsInWords = (permissions: readonly string[]) =>
  permissions.map((p) => ({ permission: p, text: PERMISSION_TEXT[p as Permission] ?? p }));

/** An install as the API shows it; `apiOrigin` is where providers reach its webhooks. */
export function installView(i: InstallRecord, apiOrigin: string) {
  const base = apiOrigin.replace(/\/+$/, "");
  return {
    id: i.id,
    pluginId: i.pluginId,
    name: i.manifest.name,
    version: i.version,
    description: i.manifest.description,
    kinds: i.manifest.kinds,
    channel: i.manifest.channel ?? null,
    status: i.status,
    pausedReason: i.pausedReason,
    permissions: permissionsInWords(i.grantedPermissions),
    hosts: i.grantedHosts,
    configSchema: i.manifest.config,
    config: i.config,
    secretsSet: i.secretsSet,
    actions: i.manifest.actions.map((a) => ({ name: a.name, title: a.title, input: a.input })),
    subscriptions: i.manifest.subscriptions,
    reports: i.manifest.reports,
    webhooks: i.manifest.webhooks.map((w) => ({ name: w.name, url: `${base}/v1/hooks/${i.id}/${w.name}` })),
    source: i.source,
    autoUpgrade: i.autoUpgrade,
    previousVersion: i.previousVersion,
    createdAt: i.createdAt,
    updatedAt: i.updatedAt,
  };
}

export function inspection(manifest: Manifest, bytes: number) {
  return {
    manifest,
    permissions: permissionsInWords(manifest.permissions),
    hosts: manifest.egress,
    secretFields: secretFields(manifest.config),
    bytes,
  };
}
