import { existsSync, readFileSync, watch } from "node:fs";
import { join } from "node:path";
import { buildPlugin, pack, writeBuild } from "./build.js";

// `autopilot-plugin dev`: builds the plugin and installs it into a running AutopilotCRM (`npm start`
// on this machine by default), granting what its manifest asks, with settings from plugin.dev.json;
// then rebuilds and reinstalls on every change under src/, until stopped.

export type DevOptions = { dir: string; api: string; key: string; watch: boolean };

type Install = { id: string; pluginId: string };

async function api(o: DevOptions, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${o.api}${path}`, {
    method,
    headers: { authorization: `Bearer ${o.key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** One build and install; returns the install id. Throws with the API's message on a refusal. */
export async function installOnce(o: DevOptions): Promise<string> {
  const built = await buildPlugin(o.dir);
  writeBuild(o.dir, built);
  const { packed } = pack(o.dir, built);
  const settingsFile = join(o.dir, "plugin.dev.json");
  const config = existsSync(settingsFile) ? JSON.parse(readFileSync(settingsFile, "utf8")) : {};
  const listed = await api(o, "GET", "/v1/plugins/installs");
  if (!listed.ok) throw new Error(`GET /v1/plugins/installs: ${listed.status} ${await listed.text()}`);
  const { installs } = (await listed.json()) as { installs: Install[] };
  // A development install is replaced whole: the same version, new code.
  for (const old of installs.filter((i) => i.pluginId === built.manifest.id))
    await api(o, "DELETE", `/v1/plugins/installs/${old.id}`);
  const grant = { permissions: built.manifest.permissions, hosts: built.manifest.egress };
  const res = await api(o, "POST", "/v1/plugins/installs", { package: packed, grant, config });
  const answer = (await res.json()) as { id?: string; error?: { message: string } };
  if (!res.ok || !answer.id)
    throw new Error(`install refused (${res.status}): ${answer.error?.message ?? "no reason given"}`);
  console.log(
    `installed ${built.manifest.id}@${built.manifest.version} (${built.bytes} bytes) as ${answer.id}`,
  );
  return answer.id;
}

export async function dev(o: DevOptions): Promise<void> {
  await installOnce(o);
  if (!o.watch) return;
  console.log("watching src/ (Ctrl-C stops)");
  let timer: ReturnType<typeof setTimeout> | undefined;
  watch(join(o.dir, "src"), { recursive: true }, () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      installOnce(o).catch((error: unknown) => console.error(error instanceof Error ? error.message : error));
    }, 300);
  });
  await new Promise<never>(() => undefined);
}
