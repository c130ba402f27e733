import type { CallApi } from "../lib/seed.js";

// The demo company's CRM, made through the product's own API as a business would in its first weeks:
// a playbook that qualifies quote requests, scoring and assignment rules, a pipeline with deals in
// every stage, companies, contacts and scored, assigned leads (one converted into its deal), a chat
// widget, and past conversations through the widget API (a quote form filled in, a handoff an agent
// answered and closed, ratings), so Home, the inbox, leads, deals and reports show a working product.
// Idempotent: each part is made only while the workspace has none of its kind.

export type DemoCrm = { widgetKey: string; summary: string };

type Json = Record<string, unknown>;

export const QUOTE_ROUTE = {
  id: "business_quote",
  name: "Office quote",
  description: "A company wants desks or chairs for its team",
  examples: [
    "I need desks for my office",
    "quote for 20 standing desks",
    "do you do business orders",
    "we want to equip our team",
    "volume discount for our company",
  ],
  priority: 0,
  enabled: true,
  steps: [
    {
      id: "ask_name",
      kind: "ask",
      prompt: "Happy to put together an office quote. What's your name?",
      field: { name: "fullName", label: "Name", type: "name" },
      next: "ask_email",
      maxAttempts: 3,
      onMaxAttempts: "handoff",
    },
    {
      id: "ask_email",
      kind: "ask",
      prompt: "Which email should the quote go to?",
      field: { name: "email", label: "Email", type: "email" },
      next: "ask_company",
      maxAttempts: 3,
      onMaxAttempts: "handoff",
    },
    {
      id: "ask_company",
      kind: "ask",
      prompt: "What's the name of your company?",
      field: { name: "company", label: "Company", type: "text" },
      next: "ask_desks",
      maxAttempts: 3,
      onMaxAttempts: "handoff",
    },
    {
      id: "ask_desks",
      kind: "ask",
      prompt: "How many workstations do you need?",
      field: {
        name: "desks",
        label: "Workstations",
        type: "choice",
        options: [
          { value: "1-9", label: "1–9" },
          { value: "10-49", label: "10–49" },
          { value: "50+", label: "50 or more" },
        ],
      },
      next: "ask_budget",
      maxAttempts: 3,
      onMaxAttempts: "handoff",
    },
    {
      id: "ask_budget",
      kind: "ask",
      prompt: "Roughly what budget do you have in mind (in USD)?",
      field: { name: "budget", label: "Budget", type: "money" },
      next: "lead",
      maxAttempts: 3,
      onMaxAttempts: "handoff",
    },
    { id: "lead", kind: "action", action: { type: "create_lead", source: "office_quote" }, next: "assign" },
    { id: "assign", kind: "action", action: { type: "assign" }, next: "done" },
    {
      id: "done",
      kind: "end",
      message: "Thank you! Our business team will email you a quote within one working day.",
    },
  ],
};

const SCORING = [
  { kind: "signal", label: "Budget of $5,000 or more", points: 35, signal: "budget", minBudget: 5000 },
  {
    kind: "fit",
    label: "10 or more workstations",
    points: 25,
    condition: { field: "desks", op: "in", value: ["10-49", "50+"] },
  },
  { kind: "fit", label: "Company named", points: 10, condition: { field: "company", op: "exists" } },
];

// The stages every new workspace starts with (edge-api's DEFAULT_PIPELINE); used only when a workspace
// made before that default has no pipeline.
const STAGES = [
  { name: "New", probability: 10 },
  { name: "Qualified", probability: 25 },
  { name: "Proposal", probability: 50 },
  { name: "Negotiation", probability: 75 },
  { name: "Won", probability: 100, category: "won" },
  { name: "Lost", probability: 0, category: "lost" },
];

const PEOPLE = [
  {
    contact: { name: "Maya Chen", email: "maya.chen@northwind.example", phone: "+1 415 555 0134" },
    company: { name: "Northwind Studio", domain: "northwind.example" },
    title: "Northwind Studio: 24 LiftDesk Pro",
    attributes: { desks: "10-49", company: "Northwind Studio" },
    signals: { budget: 18_000, timeline: "next quarter" },
  },
  {
    contact: { name: "Jonas Weber", email: "jonas@brightlabs.example" },
    company: { name: "Bright Labs", domain: "brightlabs.example" },
    title: "Bright Labs: home office bundles",
    attributes: { desks: "50+", company: "Bright Labs" },
    signals: { budget: 60_000 },
  },
  {
    contact: { name: "Amara Okafor", email: "amara@okafor-design.example" },
    title: "Two LiftDesk Mini",
    attributes: { desks: "1-9" },
    signals: { budget: 900 },
  },
  {
    contact: { name: "Lucas Martin", email: "lucas@quaystudio.example" },
    company: { name: "Quay Studio", domain: "quaystudio.example" },
    title: "Quay Studio: chairs for 12",
    attributes: { desks: "10-49", company: "Quay Studio" },
    signals: { budget: 6_500 },
  },
];

// One deal per stage, so the board shows every column at work.
const DEALS = [
  { title: "Harbor Co: 8 desks", amount: 5_200, stage: "New", month: 2 },
  { title: "Linden Clinic: reception chairs", amount: 3_400, stage: "Qualified", month: 1 },
  { title: "Atlas Legal: 30 workstations", amount: 24_000, stage: "Proposal", month: 1 },
  { title: "Pine & Co: home office stipend", amount: 11_000, stage: "Negotiation", month: 0 },
  { title: "Riverside School: staff room", amount: 7_900, stage: "Won", month: 0 },
  {
    title: "Globe Media: 40 desks",
    amount: 31_000,
    stage: "Lost",
    month: 0,
    reason: "Chose a cheaper supplier",
  },
];

class DemoApi {
  constructor(
    private readonly call: CallApi,
    private readonly apiKey: string,
  ) {}

  async request(method: string, path: string, body?: unknown, auth = `Bearer ${this.apiKey}`): Promise<Json> {
    const res = await this.call(path, {
      method,
      headers: { authorization: auth, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
    return text ? (JSON.parse(text) as Json) : {};
  }
  get = (path: string) => this.request("GET", path);
  post = (path: string, body: unknown = {}) => this.request("POST", path, body);
}

/** A visitor chatting through the public widget API, as the widget does. */
class Visitor {
  private token = "";
  conversationId = "";
  constructor(
    private readonly api: DemoApi,
    private readonly publicKey: string,
  ) {}

  async start(): Promise<void> {
    const session = await this.api.request("POST", "/v1/widget/session", { publicKey: this.publicKey }, "");
    this.token = String(session.token);
    const turn = await this.api.request("POST", "/v1/widget/conversations", {}, `Bearer ${this.token}`);
    this.conversationId = String((turn.conversation as Json).id);
  }

  async say(text: string): Promise<string[]> {
    const turn = await this.api.request(
      "POST",
      `/v1/widget/conversations/${this.conversationId}/messages`,
      { text },
      `Bearer ${this.token}`,
    );
    return (turn.messages as { sender: string; text: string }[])
      .filter((m) => m.sender !== "visitor")
      .map((m) => m.text);
  }

  rate(score: number, comment?: string): Promise<Json> {
    return this.api.request(
      "POST",
      `/v1/widget/conversations/${this.conversationId}/csat`,
      comment ? { score, comment } : { score },
      `Bearer ${this.token}`,
    );
  }
}

const monthFromNow = (months: number) => {
  const d = new Date();
  d.setUTCDate(15);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
};

export async function seedDemoCrm(call: CallApi, apiKey: string): Promise<DemoCrm> {
  const api = new DemoApi(call, apiKey);
  const none = async (path: string, key: string) => ((await api.get(path))[key] as unknown[]).length === 0;
  // Each part is made only where it is missing, so a run stopped half-way is completed by the next.
  const made: string[] = [];
  if (await none("/v1/routes", "routes")) {
    await api.post("/v1/routes", QUOTE_ROUTE);
    made.push("a playbook");
  }
  if (await none("/v1/scoring-rules", "rules"))
    await api.request("PUT", "/v1/scoring-rules", { rules: SCORING });
  const members = (await api.get("/v1/members")).members as { userId: string; role: string }[];
  const owner = members.find((m) => m.role === "owner") ?? members[0];
  if (await none("/v1/assignment-rules", "rules")) {
    await api.request("PUT", "/v1/assignment-rules", {
      rules: [{ name: "Every lead to the owner", strategy: "specific", ownerId: owner?.userId }],
    });
  }
  let pipeline = ((await api.get("/v1/pipelines")).pipelines as Json[])[0];
  if (!pipeline)
    pipeline = await api.post("/v1/pipelines", { name: "Sales", isDefault: true, stages: STAGES });
  const stageId = (name: string) => {
    const stages = pipeline?.stages as { id: string; name: string }[];
    return (stages.find((s) => s.name === name) ?? stages[0])?.id;
  };

  if (await none("/v1/leads?limit=1", "leads")) {
    const created: Json[] = [];
    for (const p of PEOPLE) created.push(await api.post("/v1/leads", { ...p, source: "api", assign: true }));
    // The first lead became a deal: converted, linked to its contact and company.
    await api.post(`/v1/leads/${created[0]?.id}/convert`, {
      stageId: stageId("Proposal"),
      expectedCloseDate: monthFromNow(1),
    });
    made.push(`${PEOPLE.length} leads`);
  }
  // Past the one deal the conversion opened: the board's deals come next.
  if (((await api.get("/v1/deals?limit=2")).deals as unknown[]).length < 2) {
    for (const d of DEALS) {
      const closed = d.stage === "Won" || d.stage === "Lost";
      const deal = await api.post("/v1/deals", {
        title: d.title,
        amount: d.amount,
        currency: "USD",
        ownerId: owner?.userId,
        pipelineId: pipeline.id,
        stageId: stageId(closed ? "Negotiation" : d.stage),
        expectedCloseDate: monthFromNow(d.month),
      });
      if (closed)
        await api.request("PATCH", `/v1/deals/${deal.id}`, {
          stageId: stageId(d.stage),
          ...(d.reason ? { reason: d.reason } : {}),
        });
    }
    made.push(`${DEALS.length} deals`);
  }
  const keys = (await api.get("/v1/widget-keys")).widgetKeys as { publicKey: string }[];
  const widgetKey = keys[0]?.publicKey ?? (await createWidgetKey(api));
  if (await none("/v1/conversations?limit=1", "conversations")) {
    made.push(`${await seedConversations(api, widgetKey)} past conversations`);
  }
  return { widgetKey, summary: made.length ? `${made.join(", ")} (created now)` : "existing" };
}

async function createWidgetKey(api: DemoApi): Promise<string> {
  const key = await api.post("/v1/widget-keys", {
    settings: {
      title: "Chat with us",
      greeting: "Hi! Ask us about desks, chairs, delivery or an office quote.",
    },
  });
  return String(key.publicKey);
}

/** Past conversations: a quote form filled in, product questions, a handoff answered, closed and rated. */
async function seedConversations(api: DemoApi, publicKey: string): Promise<number> {
  const quote = new Visitor(api, publicKey);
  await quote.start();
  for (const text of [
    "Do you do business orders? I need desks for my office",
    "Sofia Rossi",
    "sofia@lumen-agency.example",
    "Lumen Agency",
    "10–49",
    "$12,000",
  ])
    await quote.say(text);

  const question = new Visitor(api, publicKey);
  await question.start();
  await question.say("How long does delivery to Canada take?");
  await api.post(`/v1/conversations/${question.conversationId}/close`);
  await question.rate(4, "Quick answer, thanks");

  const handoff = new Visitor(api, publicKey);
  await handoff.start();
  await handoff.say("My desk wobbles at full height. Can I talk to a human?");
  const id = handoff.conversationId;
  await api.post(`/v1/conversations/${id}/takeover`);
  await api.post(`/v1/conversations/${id}/reply`, {
    text: "Sorry about that! Tighten the four crossbar bolts with the 5 mm key; if it still wobbles we send a new crossbar for free.",
  });
  await handoff.say("That fixed it, thank you!");
  await api.post(`/v1/conversations/${id}/close`);
  await handoff.rate(5, "Solved in two minutes");

  // Waiting for a person right now: the inbox has something to pick up.
  const waiting = new Visitor(api, publicKey);
  await waiting.start();
  await waiting.say("Can I speak to someone about a bulk order for our school?");
  return 4;
}
