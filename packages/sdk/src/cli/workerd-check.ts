import { Miniflare } from "miniflare";
import { PluginResult } from "../plugin/wire.js";

// `autopilot-plugin test`, last step: the built bundle loaded into a Dynamic Worker in real workerd
// (Miniflare's Worker Loader, as the platform's host loads plugins: one module, an API binding, no
// network) and called once through the wire contract. A bundle that does not load, or answers
// something that is not a plugin result, fails here instead of on the platform.

const HOST = `
import { WorkerEntrypoint } from "cloudflare:workers";
export class Api extends WorkerEntrypoint {
  async call(capability, method) {
    throw new Error(capability + "." + method + " is not available in the bundle check");
  }
}
export default {
  async fetch(request, env, ctx) {
    const { code, compatibilityDate } = await request.json();
    const worker = env.LOADER.get("bundle-check", () => ({
      compatibilityDate,
      mainModule: "plugin.js",
      modules: { "plugin.js": code },
      env: { API: ctx.exports.Api({ props: {} }) },
      globalOutbound: null,
    }));
    try {
      // A call the plugin cannot take: its answer must still be a plugin result.
      const result = await worker.getEntrypoint().invoke({ kind: "bundle_check" }, {
        installId: "00000000-0000-4000-8000-000000000000",
        config: {},
      });
      return Response.json({ result });
    } catch (error) {
      return Response.json({ error: String(error && error.stack || error) }, { status: 500 });
    }
  },
};`;

/** The platform's compatibility date for plugins (the host's PLUGIN_COMPATIBILITY_DATE). */
export const PLUGIN_COMPATIBILITY_DATE = "2026-04-01";

export async function checkInWorkerd(code: string): Promise<void> {
  const mf = new Miniflare({
    modules: true,
    script: HOST,
    compatibilityDate: PLUGIN_COMPATIBILITY_DATE,
    workerLoaders: { LOADER: {} },
  });
  try {
    const res = await mf.dispatchFetch("http://check/", {
      method: "POST",
      body: JSON.stringify({ code, compatibilityDate: PLUGIN_COMPATIBILITY_DATE }),
    });
    const answer = (await res.json()) as { result?: unknown; error?: string };
    if (answer.error) throw new Error(`the bundle did not load in workerd: ${answer.error}`);
    if (!PluginResult.safeParse(answer.result).success)
      throw new Error(
        `the bundle answered something that is not a plugin result: ${JSON.stringify(answer.result).slice(0, 300)}`,
      );
  } finally {
    await mf.dispose();
  }
}
