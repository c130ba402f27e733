import { buildPlugin, pack, writeBuild } from "./build.js";

// `autopilot-plugin publish`: packs the plugin and submits the version to the marketplace with a
// developer token (AUTOPILOT_DEVELOPER_TOKEN, from Developer → Tokens); prints the automated checks
// and where the version stands. `autopilot-plugin status`: where each version of my plugins stands.

export type PublishOptions = {
  dir: string;
  api: string;
  token: string;
  category?: string;
  publishOnApproval: boolean;
};

type Check = { title: string; ok: boolean; detail: string };
type Version = {
  pluginId: string;
  version: string;
  status: string;
  checks: Check[];
  risk: string;
  reason: string | null;
  installs?: number;
};

const STATUS_WORDS: Record<string, string> = {
  submitted: "submitted, checks running",
  in_review: "in review by platform staff",
  approved: "approved (publish it with the dashboard or the API)",
  rejected: "rejected",
  published: "published",
  deprecated: "deprecated",
  yanked: "yanked",
};

async function api(o: { api: string; token: string }, method: string, path: string, body?: unknown) {
  const res = await fetch(`${o.api}${path}`, {
    method,
    headers: { authorization: `Bearer ${o.token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json().catch(() => ({}))) as Record<string, unknown> & {
    error?: { message?: string };
  };
  if (!res.ok)
    throw new Error(`${method} ${path} refused (${res.status}): ${json.error?.message ?? "no reason given"}`);
  return json;
}

export function describeVersion(v: Version): string {
  const lines = [`${v.pluginId}@${v.version}: ${STATUS_WORDS[v.status] ?? v.status}`];
  for (const c of v.checks) lines.push(`  ${c.ok ? "✓" : "✗"} ${c.title}: ${c.detail}`);
  if (v.checks.length) lines.push(`  risk: ${v.risk}`);
  if (v.reason) lines.push(`  reason: ${v.reason}`);
  if (v.installs !== undefined) lines.push(`  installs: ${v.installs}`);
  return lines.join("\n");
}

/** Submits this version; returns it as the marketplace answered (with its checks). */
export async function publish(o: PublishOptions): Promise<Version> {
  const built = await buildPlugin(o.dir);
  writeBuild(o.dir, built);
  const { packed } = pack(o.dir, built);
  return (await api(o, "POST", "/v1/developer/versions", {
    package: packed,
    ...(o.category ? { category: o.category } : {}),
    publishOnApproval: o.publishOnApproval,
  })) as unknown as Version;
}

/** Every version of my plugins (of one plugin, given its id), newest first. */
export async function status(o: { api: string; token: string }, pluginId?: string): Promise<Version[]> {
  const { plugins } = (await api(o, "GET", "/v1/developer/plugins")) as unknown as {
    plugins: { pluginId: string; versions: Version[] }[];
  };
  return plugins.filter((p) => !pluginId || p.pluginId === pluginId).flatMap((p) => p.versions);
}
