import { Miniflare } from "miniflare";
import type { ReviewCheck } from "../plugin/review.js";
import { PluginResult } from "../plugin/wire.js";

// `autopilot-plugin test`, last step: the built bundle loaded into a Dynamic Worker in real workerd
// (Miniflare's Worker Loader, as the platform's host loads plugins: one module, an API binding, a
// gateway for its network) and called through the wire contract: once with a call it cannot take
// (its answer must still be a plugin result), then with each of its checks.json checks, as the
// marketplace's review runs them: no workspace (an empty store, no contacts, no figures) and no
// network (declared hosts answer 200 "{}", others are refused).

const HOST = `
import { WorkerEntrypoint } from "cloudflare:workers";
const stores = new Map();
const refused = new Set();
export class Api extends WorkerEntrypoint {
  async call(capability, method, args) {
    const { permissions, run } = this.ctx.props;
    const need = (${JSON.stringify({
      storage: { get: "storage", put: "storage", delete: "storage", list: "storage" },
      contacts: { get: "contacts:read", findByEmail: "contacts:read", upsert: "contacts:write" },
      analytics: { report: "analytics:read", query: "analytics:read" },
    })})[capability]?.[method];
    if (!need) throw new Error(capability + "." + method + ": no such capability");
    if (!permissions.includes(need)) throw new Error(capability + "." + method + " needs the " + need + " permission");
    const store = stores.get(run) ?? new Map();
    stores.set(run, store);
    const key = String(args[0] ?? "");
    switch (capability + "." + method) {
      case "storage.get": return store.get(key) ?? null;
      case "storage.put": store.set(key, args[1]); return null;
      case "storage.delete": store.delete(key); return null;
      case "storage.list": return [...store.keys()].filter((k) => k.startsWith(key)).sort();
      case "contacts.upsert": return { id: "00000000-0000-4000-8000-00000000c0de", name: args[0]?.name ?? null, email: args[0]?.email ?? null, phone: args[0]?.phone ?? null, tags: args[0]?.tags ?? [], createdAt: new Date(0).toISOString(), updatedAt: new Date(0).toISOString() };
      case "analytics.query": return { rows: [], timeZone: "UTC" };
      case "analytics.report": return { rows: [] };
      default: return null;
    }
  }
}
export class Gateway extends WorkerEntrypoint {
  async fetch(request) {
    const host = new URL(request.url).hostname;
    const ok = this.ctx.props.hosts.some((h) => h.startsWith("*.") ? host.endsWith(h.slice(1)) : h === host);
    if (!ok) { refused.add(host); return new Response("egress refused: " + host + " is not declared", { status: 403 }); }
    return Response.json({});
  }
}
export default {
  async fetch(request, env, ctx) {
    const { code, compatibilityDate, call, config, permissions, hosts, run } = await request.json();
    const props = { permissions, hosts, run };
    const worker = env.LOADER.get("bundle-check-" + run, () => ({
      compatibilityDate,
      mainModule: "plugin.js",
      modules: { "plugin.js": code },
      env: { API: ctx.exports.Api({ props }) },
      globalOutbound: ctx.exports.Gateway({ props }),
    }));
    try {
      const result = await worker.getEntrypoint().invoke(call, {
        installId: "00000000-0000-4000-8000-000000000000",
        config,
      });
      return Response.json({ result, refused: [...refused] });
    } catch (error) {
      return Response.json({ error: String(error && error.stack || error) }, { status: 500 });
    }
  },
};`;

/** The platform's compatibility date for plugins (the host's PLUGIN_COMPATIBILITY_DATE). */
export const PLUGIN_COMPATIBILITY_DATE = "2026-04-01";

type Grants = { permissions: readonly string[]; egress: readonly string[] };

/** Loads the bundle in workerd, checks it speaks the wire contract, and runs its checks; their names. */
export async function checkInWorkerd(
  code: string,
  checks: ReviewCheck[] = [],
  grants: Grants = { permissions: [], egress: [] },
): Promise<string[]> {
  const mf = new Miniflare({
    modules: true,
    script: HOST,
    compatibilityDate: PLUGIN_COMPATIBILITY_DATE,
    workerLoaders: { LOADER: {} },
  });
  const call = async (run: string, c: unknown, config: Record<string, unknown>) => {
    const res = await mf.dispatchFetch("http://check/", {
      method: "POST",
      body: JSON.stringify({
        code,
        compatibilityDate: PLUGIN_COMPATIBILITY_DATE,
        call: c,
        config,
        permissions: grants.permissions,
        hosts: grants.egress,
        run,
      }),
    });
    return (await res.json()) as { result?: unknown; error?: string; refused?: string[] };
  };
  try {
    const answer = await call("probe", { kind: "bundle_check" }, {});
    if (answer.error) throw new Error(`the bundle did not load in workerd: ${answer.error}`);
    if (!PluginResult.safeParse(answer.result).success)
      throw new Error(
        `the bundle answered something that is not a plugin result: ${JSON.stringify(answer.result).slice(0, 300)}`,
      );
    const passed: string[] = [];
    for (const [i, check] of checks.entries()) {
      const out = await call(`check-${i}`, check.call, check.config);
      if (out.error) throw new Error(`check "${check.name}" crashed the plugin: ${out.error}`);
      if (out.refused?.length)
        throw new Error(
          `check "${check.name}": the plugin tried to reach ${out.refused.join(", ")}, not in its egress`,
        );
      const result = PluginResult.parse(out.result);
      const code = result.ok ? undefined : result.error.code;
      if (result.ok !== check.expect.ok || (check.expect.code !== undefined && code !== check.expect.code))
        throw new Error(
          `check "${check.name}" ${result.ok ? "succeeded" : `failed (${code}: ${result.ok ? "" : result.error.message})`}, expected ${check.expect.ok ? "success" : `an error${check.expect.code ? ` ${check.expect.code}` : ""}`}`,
        );
      passed.push(check.name);
    }
    return passed;
  } finally {
    await mf.dispose();
  }
}
