import { parseArgs } from "node:util";
import { Webhook } from "standardwebhooks";
import { jsonOf, startFakeServer } from "./fakes/server.js";

// A webhook receiver on 127.0.0.1, as a workspace's own server would be: every POST is kept (headers
// and raw body) and, given the endpoint's secrets, verified with the `standardwebhooks` library.
// `npm run webhook:receive -- --secret whsec_…` prints each event and whether its signature holds.
// The tests use it too: GET /requests?path=… lists what a path got; POST /control {path, statuses}
// makes that path answer these statuses in turn (then 200).

export type Received = { path: string; headers: Record<string, string>; body: string; at: number };

export async function startWebhookReceiver(
  port = 0,
  onRequest?: (r: Received) => void,
): Promise<{ url: string; close: () => Promise<void> }> {
  const received: Received[] = [];
  const statuses = new Map<string, number[]>();
  return startFakeServer(port, ({ method, url, headers, body }) => {
    if (method === "GET" && url.pathname === "/requests")
      return { status: 200, json: received.filter((r) => r.path === url.searchParams.get("path")) };
    if (method === "POST" && url.pathname === "/control") {
      const c = jsonOf(body) as { path: string; statuses: number[] };
      statuses.set(c.path, [...c.statuses]);
      return { status: 200, json: { ok: true } };
    }
    if (method !== "POST") return { status: 405, text: "POST only" };
    const r: Received = {
      path: url.pathname,
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, String(v)])),
      body,
      at: Date.now(),
    };
    received.push(r);
    onRequest?.(r);
    const status = statuses.get(url.pathname)?.shift() ?? 200;
    return { status, text: status < 300 ? "ok" : `answered ${status} on purpose` };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      secret: { type: "string", multiple: true, default: [] },
      port: { type: "string", default: "8794" },
    },
  });
  const verifiers = (values.secret ?? []).map((s) => new Webhook(s));
  startWebhookReceiver(Number(values.port), (r) => {
    const verified = verifiers.some((v) => {
      try {
        v.verify(r.body, r.headers);
        return true;
      } catch {
        return false;
      }
    });
    const event = JSON.parse(r.body) as { type?: string };
    const check =
      verifiers.length === 0 ? "not checked (no --secret)" : verified ? "verified" : "SIGNATURE INVALID";
    console.log(`${new Date().toISOString()} ${r.path} ${r.headers["webhook-id"]} ${event.type}: ${check}`);
  }).then((receiver) => {
    console.log(
      `webhook receiver on ${receiver.url}/<any path> (signatures ${verifiers.length ? "checked" : "not checked"})`,
    );
  });
}
