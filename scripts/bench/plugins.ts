// Issue 17's benchmark, through Miniflare: (1) a playbook's call_plugin step — the visitor's turn
// that runs a plugin action, cold (a fresh isolate: each workspace's first call) and warm, against the
// same turn without the plugin; (2) fan-out of one event to 100 installs, deliveries per second until
// every plugin has posted to a local server (each delivery goes through the queue, the sandbox and
// the egress gateway); (3) a plugin's fetch through the gateway, timed inside the plugin, beside the
// same fetch from this process. Installs go through the API as an admin's would.
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { seedWorkspace } from "../lib/seed.js";
import type { Bench } from "./registry.js";
import { percentile, round } from "./stats.js";
import { NO_WIDGET_LIMITS, startBenchWorker } from "./worker.js";

const COLD_WORKSPACES = Number(process.env.PLUGINS_COLD ?? 8);
const WARM_TURNS = Number(process.env.PLUGINS_WARM ?? 60);
const FAN_OUT_INSTALLS = Number(process.env.PLUGINS_FAN_OUT ?? 100);
const FAN_OUT_DEADLINE_MS = 180_000;
const FETCHES = 50;

const BUNDLE = `
import { WorkerEntrypoint } from "cloudflare:workers";
export default class extends WorkerEntrypoint {
  async invoke(call, context) {
    if (call.kind === "action" && call.name === "book") return { ok: true, value: { message: "Booked." } };
    if (call.kind === "action" && call.name === "probe") {
      const times = [];
      for (let i = 0; i < Number(call.input.n); i++) {
        const t = performance.now();
        await (await fetch(call.input.url)).text();
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      return { ok: true, value: { message: "probe " + times[Math.floor(times.length / 2)] } };
    }
    if (call.kind === "event") {
      await fetch(context.config.hook, { method: "POST", body: call.event.id });
      return { ok: true, value: null };
    }
    return { ok: false, error: { code: "not_handled", message: call.kind } };
  }
}`;
const SHA = createHash("sha256").update(BUNDLE).digest("hex");

const manifest = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  name: id,
  version: "1.0.0",
  engine: "^1.0.0",
  kinds: ["action", "events"],
  actions: [
    { name: "book", title: "Book", input: { type: "object" } },
    { name: "probe", title: "Probe", input: { type: "object" } },
  ],
  egress: ["hooks.example.com"],
  ...extra,
});

const turnRoute = (withPlugin: boolean) => ({
  id: withPlugin ? "book" : "plain",
  name: withPlugin ? "Book a call" : "Plain",
  examples: withPlugin ? ["book a call", "I want to book a call"] : ["tell me about plans", "what plans"],
  steps: [
    withPlugin
      ? {
          id: "act",
          kind: "action",
          action: { type: "call_plugin", plugin: "bench/booking", method: "book" },
          next: "done",
        }
      : { id: "act", kind: "say", text: "Here you go.", next: "done" },
    { id: "done", kind: "end", message: "Thanks!" },
  ],
});

export const plugins: Bench = {
  name: "plugins",
  description: "call_plugin turn cold/warm vs no plugin; event fan-out to 100 installs; gateway fetch",
  async run(ctx) {
    const hits = { count: 0, at: 0 };
    const server = createServer((req, res) => {
      req.resume();
      req.on("end", () => {
        if (req.method === "POST") {
          hits.count++;
          hits.at = performance.now();
        }
        res.end("ok");
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const local = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const worker = await startBenchWorker(ctx.root, NO_WIDGET_LIMITS);
    try {
      const json = async (path: string, body: unknown, headers: Record<string, string>, method = "POST") => {
        const res = await worker.call(path, {
          method,
          headers: { "content-type": "application/json", ...headers },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        if (res.status >= 300) throw new Error(`${path}: ${res.status} ${text.slice(0, 300)}`);
        return JSON.parse(text) as Record<string, unknown>;
      };
      const workspace = async (n: number) => {
        const { apiKey } = await seedWorkspace(worker.call, {
          email: `bench-plugins-${Date.now()}-${n}@autopilot.local`,
          password: "benchmark-password",
          name: "Bench Owner",
          companyName: `Bench Plugins ${n}`,
        });
        return { authorization: `Bearer ${apiKey}` };
      };
      const install = (admin: Record<string, string>, m: ReturnType<typeof manifest>, config = {}) =>
        json(
          "/v1/plugins/installs",
          {
            package: { format: 1, manifest: m, bundle: BUNDLE, sha256: SHA, readme: "" },
            grant: { permissions: (m as { permissions?: string[] }).permissions ?? [], hosts: m.egress },
            config,
          },
          admin,
        );
      /** A visitor's conversation, then the timed turn that runs the route. */
      const turn = async (publicKey: string, text: string) => {
        const s = (await json(
          "/v1/widget/session",
          { publicKey },
          { "cf-connecting-ip": `10.9.${Math.floor(Math.random() * 250)}.1` },
        )) as {
          token: string;
        };
        const auth = { authorization: `Bearer ${s.token}` };
        const c = (await json("/v1/widget/conversations", { channel: "web" }, auth)) as {
          conversation: { id: string };
        };
        const t = performance.now();
        const reply = (await json(
          `/v1/widget/conversations/${c.conversation.id}/messages`,
          { text },
          auth,
        )) as {
          messages: { sender: string; text: string }[];
        };
        const ms = performance.now() - t;
        return { ms, texts: reply.messages.filter((m) => m.sender === "bot").map((m) => m.text) };
      };

      // (1) call_plugin: cold in fresh workspaces, then warm in the last one; the same turn without it.
      const cold: number[] = [];
      let last: { key: string; admin: Record<string, string> } | null = null;
      for (let i = 0; i < COLD_WORKSPACES; i++) {
        const admin = await workspace(i);
        await json("/v1/routes", turnRoute(true), admin);
        await json("/v1/routes", turnRoute(false), admin);
        await install(admin, manifest("bench/booking"));
        const key = (await json("/v1/widget-keys", {}, admin)) as { publicKey: string };
        const first = await turn(key.publicKey, "I want to book a call");
        if (!first.texts.join(" ").includes("Booked."))
          throw new Error(`the plugin did not answer: ${first.texts.join(" | ")}`);
        cold.push(first.ms);
        last = { key: key.publicKey, admin };
      }
      if (!last) throw new Error("no workspace");
      const warm: number[] = [];
      const plain: number[] = [];
      for (let i = 0; i < WARM_TURNS; i++) {
        warm.push((await turn(last.key, "I want to book a call")).ms);
        plain.push((await turn(last.key, "tell me about plans")).ms);
      }
      const med = (xs: number[]) =>
        percentile(
          [...xs].sort((a, b) => a - b),
          50,
        );
      console.log(
        `  call_plugin turn: cold median ${round(med(cold), 1)} ms (${cold.length} workspaces), warm median ${round(med(warm), 2)} ms; the same turn without a plugin ${round(med(plain), 2)} ms`,
      );

      // (3) the gateway: a plugin's fetches (timed inside it, through the gateway), beside this
      // process's own fetches of the same local server.
      await json(
        "/v1/routes",
        {
          id: "probe",
          name: "Probe",
          examples: ["run the network probe", "network probe please"],
          steps: [
            {
              id: "act",
              kind: "action",
              action: {
                type: "call_plugin",
                plugin: "bench/booking",
                method: "probe",
                input: { url: local, n: String(FETCHES) },
              },
              next: "done",
            },
            { id: "done", kind: "end", message: "Probed." },
          ],
        },
        last.admin,
      );
      const probed = await turn(last.key, "run the network probe");
      const gatewayMs = Number(/probe ([0-9.]+)/.exec(probed.texts.join(" "))?.[1]);
      if (!Number.isFinite(gatewayMs))
        throw new Error(`the probe did not answer: ${probed.texts.join(" | ")}`);
      const direct: number[] = [];
      for (let i = 0; i < FETCHES; i++) {
        const t = performance.now();
        await (await fetch(local)).text();
        direct.push(performance.now() - t);
      }

      // (2) fan-out: 100 installs subscribed to conversation.started, each posting to the local server.
      const fanAdmin = await workspace(999);
      for (let i = 0; i < FAN_OUT_INSTALLS; i++)
        await install(
          fanAdmin,
          manifest(`bench/fan-${String(i).padStart(3, "0")}`, {
            permissions: ["events:subscribe"],
            subscriptions: ["conversation.started"],
          }),
          { hook: `${local}/hook` },
        );
      const fanKey = (await json("/v1/widget-keys", {}, fanAdmin)) as { publicKey: string };
      hits.count = 0;
      const started = performance.now();
      const s = (await json("/v1/widget/session", { publicKey: fanKey.publicKey }, {})) as { token: string };
      await json("/v1/widget/conversations", { channel: "web" }, { authorization: `Bearer ${s.token}` });
      while (hits.count < FAN_OUT_INSTALLS && performance.now() - started < FAN_OUT_DEADLINE_MS)
        await sleep(50);
      const fanSeconds = (hits.at - started) / 1000;
      console.log(
        `  fetch of a local server: through the gateway (timed in the plugin) median ${round(gatewayMs, 2)} ms; from this process ${round(med(direct), 2)} ms`,
      );
      console.log(
        `  fan-out: ${hits.count}/${FAN_OUT_INSTALLS} installs reached in ${round(fanSeconds, 2)} s (${round(hits.count / fanSeconds, 1)} deliveries/s, from the conversation's start)`,
      );
      return {
        call_plugin_cold_median_ms: round(med(cold), 1),
        call_plugin_warm_median_ms: round(med(warm), 2),
        turn_without_plugin_median_ms: round(med(plain), 2),
        call_plugin_warm_added_ms: round(med(warm) - med(plain), 2),
        fan_out_installs: FAN_OUT_INSTALLS,
        fan_out_delivered: hits.count,
        fan_out_deliveries_per_s: round(hits.count / fanSeconds, 1),
        direct_fetch_median_ms: round(med(direct), 2),
        gateway_fetch_median_ms: round(gatewayMs, 2),
      };
    } finally {
      await worker.close();
      server.close();
    }
  },
};
