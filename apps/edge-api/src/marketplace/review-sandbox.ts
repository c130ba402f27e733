import type { Env } from "../env.js";
import { PLUGIN_COMPATIBILITY_DATE, PLUGIN_LIMITS } from "../plugins/load.js";

// Loading a submitted bundle into the review sandbox (its entrypoints are in sandbox.ts), and what
// they remember per review. Apart from sandbox.ts so that the routes, whose OpenAPI document is
// built in Node, never import "cloudflare:workers" at load time.

export type ReviewProps = { reviewId: string; permissions: string[]; hosts: string[] };

export const stores = new Map<string, Map<string, unknown>>();
export const refusedHosts = new Map<string, Set<string>>();

type LoaderExports = {
  PluginReviewApi: (options: { props: ReviewProps }) => Fetcher;
  PluginReviewGateway: (options: { props: ReviewProps }) => Fetcher;
};

/** The submitted bundle, loaded in the review sandbox under a fresh id. */
export async function reviewEntrypoint(env: Pick<Env, "LOADER">, code: string, props: ReviewProps) {
  const loopback = (await import("cloudflare:workers")).exports as unknown as LoaderExports;
  const stub = env.LOADER.get(`review:${props.reviewId}`, async () => ({
    compatibilityDate: PLUGIN_COMPATIBILITY_DATE,
    mainModule: "plugin.js",
    modules: { "plugin.js": code },
    env: { API: loopback.PluginReviewApi({ props }) },
    globalOutbound: loopback.PluginReviewGateway({ props }),
    limits: PLUGIN_LIMITS,
  }));
  return stub.getEntrypoint() as unknown as { invoke(call: unknown, context: unknown): Promise<unknown> };
}

/** The hosts a review's bundle tried to reach without declaring them; forgets the review. */
export function endReview(reviewId: string): string[] {
  const refused = [...(refusedHosts.get(reviewId) ?? [])].sort();
  refusedHosts.delete(reviewId);
  stores.delete(reviewId);
  return refused;
}
