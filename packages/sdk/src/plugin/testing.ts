import type { z } from "zod";
import {
  CAPABILITY_PERMISSION,
  CompanyUpsert,
  type CompanyView,
  type ContactUpsert,
  type ContactView,
  DealUpsert,
  type DealView,
  type MetricRow,
} from "./capabilities.js";
import { DeliveryUpdate, InboundMessage, type InboundResult } from "./channel.js";
import { buildContext } from "./context.js";
import type { Plugin } from "./define.js";
import { type SyncLink, SyncLinkInput } from "./sync.js";
import { bareDomain } from "./sync-kinds.js";
import type { HostApi, PluginCall, PluginResult } from "./wire.js";

// @autopilot/sdk/testing: runs a plugin's handlers with in-memory capabilities and a recording fetch,
// so a plugin's own tests need no platform. Calls the plugin was not granted are refused as on the host.

export type RecordedRequest = { url: string; method: string; headers: Record<string, string>; body: string };
export type FetchReply = (request: RecordedRequest) => Response | Promise<Response>;

export class TestHost {
  readonly installId = "00000000-0000-4000-8000-000000000001";
  readonly storage = new Map<string, unknown>();
  readonly contacts = new Map<string, ContactView>();
  readonly companies = new Map<string, CompanyView>();
  readonly deals = new Map<string, DealView>();
  /** The default pipeline's stages, in order, as a new workspace has them. */
  readonly stages: { name: string; status: DealView["status"] }[] = [
    { name: "New", status: "open" },
    { name: "Qualified", status: "open" },
    { name: "Proposal", status: "open" },
    { name: "Negotiation", status: "open" },
    { name: "Won", status: "won" },
    { name: "Lost", status: "lost" },
  ];
  readonly logs: { level: string; message: string; data?: Record<string, unknown> }[] = [];
  readonly requests: RecordedRequest[] = [];
  /** What ctx.analytics.report answers, by report name (set by the test). */
  readonly reports = new Map<string, Record<string, string | number | null>[]>();
  /** What ctx.analytics.query answers, by "metric:measure" or by metric alone (set by the test). */
  readonly metrics = new Map<string, MetricRow[]>();
  /** What ctx.conversations.appendInbound took (repeats of a messageId are not added again). */
  readonly inbound: ReturnType<typeof InboundMessage.parse>[] = [];
  /** The receipts ctx.conversations.updateDelivery passed on. */
  readonly deliveries: DeliveryUpdate[] = [];
  /** What ctx.sync keeps: "objectType:localId" → link. */
  readonly links = new Map<string, SyncLink>();
  /** Each thread's conversation id, as the platform would have started it. */
  readonly threads = new Map<string, string>();
  private reply: FetchReply = () => new Response("no fake answer for this request", { status: 599 });

  constructor(
    private readonly plugin: Plugin,
    private readonly config: Record<string, unknown> = {},
  ) {}

  /** How the fake network answers (the default answers 599 to everything). */
  answer(reply: FetchReply): this {
    this.reply = reply;
    return this;
  }

  /** One call, as the platform makes it; its log lines are kept in `logs`, not in the result. */
  async call(call: z.input<typeof PluginCall>): Promise<PluginResult> {
    const { logs, ...result } = await this.plugin.invoke(
      call,
      { installId: this.installId, config: this.config },
      this.api,
      this.fetch,
    );
    this.logs.push(...(logs ?? []));
    return result as PluginResult;
  }

  /** The `ctx` a handler gets (what the manifest grants), to test a plugin's own modules directly. */
  context(): ReturnType<typeof buildContext>["ctx"] {
    return buildContext(
      this.api,
      { installId: this.installId, config: this.config },
      this.plugin.manifest.permissions,
      this.fetch,
    ).ctx;
  }

  /** Only the manifest's hosts answer, as through the platform's gateway (403 otherwise). */
  readonly fetch: typeof fetch = async (input, init) => {
    const request = new Request(input, init);
    const host = new URL(request.url).hostname;
    const recorded: RecordedRequest = {
      url: request.url,
      method: request.method,
      headers: Object.fromEntries(request.headers),
      body: await request.text(),
    };
    this.requests.push(recorded);
    const allowed = this.plugin.manifest.egress.some((h) =>
      h.startsWith("*.") ? host.endsWith(h.slice(1)) : h === host,
    );
    if (!allowed) return new Response(`egress to ${host} is not in the manifest`, { status: 403 });
    return this.reply(recorded);
  };

  private readonly api: HostApi = {
    call: async (capability, method, args) => {
      const list = Array.isArray(args) ? args : [args];
      const granted = this.plugin.manifest.permissions as readonly string[];
      // The same permission table the host checks (capabilities.ts).
      const need = (CAPABILITY_PERMISSION as Record<string, Record<string, string>>)[capability]?.[method];
      if (!need) throw new Error(`unknown capability ${capability}.${method}`);
      if (!granted.includes(need)) throw new Error(`forbidden: ${capability}.${method} needs ${need}`);
      if (capability === "storage") return this.storageCall(method, list);
      if (capability === "contacts") return this.contactsCall(method, list);
      if (capability === "companies") return this.companiesCall(method, list);
      if (capability === "deals") return this.dealsCall(method, list);
      if (capability === "sync") return this.syncCall(method, list);
      if (capability === "conversations" && method === "updateDelivery") {
        this.deliveries.push(DeliveryUpdate.parse(list[0]));
        return { found: true };
      }
      if (capability === "conversations") return this.appendInbound(list[0]);
      if (capability === "analytics" && method === "query") {
        const q = (list[0] ?? {}) as { metric?: string; measure?: string };
        const rows =
          this.metrics.get(`${q.metric}:${q.measure ?? "count"}`) ?? this.metrics.get(String(q.metric));
        return { rows: rows ?? [], timeZone: "UTC" };
      }
      if (capability === "analytics") return { rows: this.reports.get(String(list[0])) ?? [] };
      throw new Error(`unknown capability ${capability}`);
    },
  };

  private appendInbound(raw: unknown): InboundResult {
    const message = InboundMessage.parse(raw);
    const duplicate = this.inbound.some((m) => m.messageId === message.messageId);
    if (!duplicate) this.inbound.push(message);
    let conversationId = this.threads.get(message.threadId);
    if (!conversationId) {
      conversationId = crypto.randomUUID();
      this.threads.set(message.threadId, conversationId);
    }
    return { conversationId, contactId: null, duplicate };
  }

  private storageCall(method: string, [key, value]: unknown[]): unknown {
    const k = String(key ?? "");
    if (method === "get") return this.storage.get(k) ?? null;
    if (method === "put") return void this.storage.set(k, structuredClone(value));
    if (method === "delete") return void this.storage.delete(k);
    if (method === "list") return [...this.storage.keys()].filter((x) => x.startsWith(k)).sort();
    throw new Error(`unknown method storage.${method}`);
  }

  private syncCall(method: string, [a, b]: unknown[]): unknown {
    const all = [...this.links.values()];
    if (method === "link") {
      const input = SyncLinkInput.parse(a);
      for (const [key, l] of this.links)
        if (
          l.objectType === input.objectType &&
          (l.localId === input.localId || l.externalId === input.externalId)
        )
          this.links.delete(key);
      const link = { ...input, syncedAt: new Date().toISOString() };
      this.links.set(`${input.objectType}:${input.localId}`, link);
      return link;
    }
    if (method === "byLocal") return this.links.get(`${a}:${b}`) ?? null;
    if (method === "byExternal") return all.find((l) => l.objectType === a && l.externalId === b) ?? null;
    if (method === "unlink") return void this.links.delete(`${a}:${b}`);
    throw new Error(`unknown method sync.${method}`);
  }

  /** A changes feed over records: oldest change first; the cursor is the last one's time and id. */
  private feed<V extends { id: string; updatedAt: string }>(all: V[], arg: unknown) {
    const q = (arg ?? {}) as { after?: string | null; limit?: number };
    const key = (x: V) => `${x.updatedAt}|${x.id}`;
    const page = all
      .sort((x, y) => key(x).localeCompare(key(y)))
      .filter((c) => !q.after || key(c) > q.after)
      .slice(0, q.limit ?? 200);
    const last = page.at(-1);
    return {
      changes: page.map((c) => ({ ...c, deleted: false, cursor: key(c) })),
      next: last ? key(last) : null,
    };
  }

  /** A time after every earlier write (two writes in one millisecond must still be told apart). */
  private clock = 0;
  private now(): string {
    this.clock = Math.max(Date.now(), this.clock + 1);
    return new Date(this.clock).toISOString();
  }

  private companiesCall(method: string, [arg]: unknown[]): unknown {
    const all = [...this.companies.values()];
    if (method === "changes") {
      const { changes, next } = this.feed(all, arg);
      return { companies: changes, next };
    }
    if (method === "get") return this.companies.get(String(arg)) ?? null;
    if (method === "findByDomain") return all.find((c) => c.domain === bareDomain(String(arg))) ?? null;
    if (method === "upsert") {
      const input = CompanyUpsert.parse(arg);
      const domain = bareDomain(input.domain);
      const found = input.id ? this.companies.get(input.id) : all.find((c) => domain && c.domain === domain);
      if (input.id && !found) throw new Error("not_found: no such company");
      const now = this.now();
      const company: CompanyView = {
        id: found?.id ?? crypto.randomUUID(),
        name: input.name,
        domain: input.domain === undefined ? (found?.domain ?? null) : domain,
        tags: [...new Set([...(found?.tags ?? []), ...(input.tags ?? [])])],
        createdAt: found?.createdAt ?? now,
        updatedAt: now,
      };
      this.companies.set(company.id, company);
      return company;
    }
    throw new Error(`unknown method companies.${method}`);
  }

  private dealsCall(method: string, [arg]: unknown[]): unknown {
    if (method === "changes") {
      const { changes, next } = this.feed([...this.deals.values()], arg);
      return { deals: changes, next };
    }
    if (method === "get") return this.deals.get(String(arg)) ?? null;
    if (method === "upsert") {
      // As the host: the stage by name, else by status (open keeps where it is).
      const input = DealUpsert.parse(arg);
      const found = input.id ? this.deals.get(input.id) : undefined;
      if (input.id && !found) throw new Error("not_found: no such deal");
      const named = this.stages.find(
        (s) =>
          s.name.toLowerCase() === input.stage?.toLowerCase() && (!input.status || s.status === input.status),
      );
      const current = this.stages.find((s) => s.name === found?.stage) ?? this.stages[0];
      const byStatus =
        input.status && input.status !== current?.status
          ? this.stages.find((s) => s.status === input.status)
          : undefined;
      const stage = named ?? byStatus ?? current;
      const now = this.now();
      const deal: DealView = {
        id: found?.id ?? crypto.randomUUID(),
        title: input.title,
        amount: input.amount ?? found?.amount ?? 0,
        currency: (input.currency ?? found?.currency ?? "USD").toUpperCase(),
        pipelineId: "00000000-0000-4000-8000-0000000000aa",
        stage: stage?.name ?? "New",
        status: stage?.status ?? "open",
        expectedCloseDate:
          input.expectedCloseDate === undefined
            ? (found?.expectedCloseDate ?? null)
            : input.expectedCloseDate,
        contactId: input.contactId === undefined ? (found?.contactId ?? null) : input.contactId,
        companyId: input.companyId === undefined ? (found?.companyId ?? null) : input.companyId,
        createdAt: found?.createdAt ?? now,
        updatedAt: now,
      };
      this.deals.set(deal.id, deal);
      return deal;
    }
    throw new Error(`unknown method deals.${method}`);
  }

  private contactsCall(method: string, [arg]: unknown[]): unknown {
    const all = [...this.contacts.values()];
    if (method === "changes") {
      const { changes, next } = this.feed(all, arg);
      return { contacts: changes, next };
    }
    if (method === "get") return this.contacts.get(String(arg)) ?? null;
    if (method === "findByEmail") return all.find((c) => c.email === String(arg).toLowerCase()) ?? null;
    if (method === "upsert") {
      const input = arg as ContactUpsert;
      const email = input.email?.toLowerCase() ?? null;
      const now = this.now();
      const found = all.find((c) => (email && c.email === email) || (input.phone && c.phone === input.phone));
      const contact: ContactView = {
        id: found?.id ?? crypto.randomUUID(),
        name: input.name ?? found?.name ?? null,
        email: email ?? found?.email ?? null,
        phone: input.phone ?? found?.phone ?? null,
        tags: input.tags ?? found?.tags ?? [],
        companyId: input.companyId === undefined ? (found?.companyId ?? null) : input.companyId,
        createdAt: found?.createdAt ?? now,
        updatedAt: now,
      };
      this.contacts.set(contact.id, contact);
      return contact;
    }
    throw new Error(`unknown method contacts.${method}`);
  }
}
