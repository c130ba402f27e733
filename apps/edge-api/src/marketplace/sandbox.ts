import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env.js";
import { checkGrant, hostGranted } from "../plugins/grants.js";
import { type ReviewProps, refusedHosts, stores } from "./review-sandbox.js";

// The review sandbox: a submitted bundle loaded as a Dynamic Worker like any install, but with no
// workspace behind it. Its capabilities answer from memory (an empty store, no contacts, no figures)
// and its network answers 200 "{}" from every declared host without leaving the machine; a request
// to any other host is refused and remembered, and fails the review.

export class PluginReviewApi extends WorkerEntrypoint<Env, ReviewProps> {
  async call(capability: unknown, method: unknown, args: unknown): Promise<unknown> {
    const props = this.ctx.props;
    checkGrant(props.permissions, capability, method);
    const list = Array.isArray(args) ? args : [];
    const store = stores.get(props.reviewId) ?? new Map<string, unknown>();
    stores.set(props.reviewId, store);
    const key = String(list[0] ?? "");
    switch (`${capability}.${method}`) {
      case "storage.get":
        return store.get(key) ?? null;
      case "storage.put":
        store.set(key, structuredClone(list[1]));
        return null;
      case "storage.delete":
        store.delete(key);
        return null;
      case "storage.list":
        return [...store.keys()].filter((k) => k.startsWith(key)).sort();
      case "contacts.upsert": {
        const c = (list[0] ?? {}) as Record<string, unknown>;
        return {
          id: "00000000-0000-4000-8000-00000000c0de",
          name: c.name ?? null,
          email: c.email ?? null,
          phone: c.phone ?? null,
          tags: c.tags ?? [],
          createdAt: new Date(0).toISOString(),
          updatedAt: new Date(0).toISOString(),
        };
      }
      case "analytics.query":
        return { rows: [], timeZone: "UTC" };
      case "analytics.report":
        return { rows: [] };
      default:
        return null; // contacts.get / findByEmail: the sandbox has no contacts
    }
  }
}

export class PluginReviewGateway extends WorkerEntrypoint<Env, ReviewProps> {
  override async fetch(request: Request): Promise<Response> {
    const props = this.ctx.props;
    const host = new URL(request.url).hostname.toLowerCase();
    if (!hostGranted(host, props.hosts)) {
      const refused = refusedHosts.get(props.reviewId) ?? new Set<string>();
      refused.add(host);
      refusedHosts.set(props.reviewId, refused);
      return new Response(`egress refused: ${host} is not declared in the manifest`, { status: 403 });
    }
    return Response.json({});
  }
}
