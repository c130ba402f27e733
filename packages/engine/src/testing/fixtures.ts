// Shared test fixtures: a small tenant with three routes and a deterministic fake selector.
// (Not a test file itself; imported by tests.)

import type { StepContext } from "../dialogue/context.js";
import { seededRandom } from "../random.js";
import type { Selection } from "../router/types.js";
import { type Route, type RouteInput, RouteSchema } from "../routes/schema.js";

export const quoteRoute: RouteInput = {
  id: "quote",
  name: "Get a quote",
  description: "Customer wants pricing or a quote",
  examples: ["I want a quote", "how much does it cost"],
  priority: 1,
  steps: [
    {
      id: "hello",
      kind: "say",
      text: ["Happy to help, {{contact.firstName|friend}}!", "Sure thing, {{contact.firstName|friend}}!"],
      next: "ask_name",
    },
    {
      id: "ask_name",
      kind: "ask",
      prompt: "What's your name?",
      field: { name: "name", label: "Name", type: "name" },
      next: "ask_email",
    },
    {
      id: "ask_email",
      kind: "ask",
      prompt: "Thanks {{fields.name.first}}. What's your email?",
      field: { name: "email", label: "Email", type: "email" },
      maxAttempts: 2,
      onMaxAttempts: "skip",
      next: "ask_plan",
    },
    {
      id: "ask_plan",
      kind: "ask",
      prompt: "Which plan?",
      field: {
        name: "plan",
        label: "Plan",
        type: "choice",
        options: [
          { value: "starter", label: "Starter" },
          { value: "premium", label: "Premium", synonyms: ["pro", "business"] },
          { value: "enterprise", label: "Enterprise" },
        ],
      },
      next: "ask_budget",
    },
    {
      id: "ask_budget",
      kind: "ask",
      prompt: "What's your budget?",
      field: {
        name: "budget",
        label: "Budget",
        type: "money",
        currency: "USD",
        validation: { required: true, min: 100 },
      },
      next: "route_by_budget",
    },
    {
      id: "route_by_budget",
      kind: "branch",
      cases: [{ when: { all: [{ var: "fields.budget", op: "gte", value: 10000 }] }, next: "big" }],
      otherwise: "lead",
    },
    { id: "big", kind: "action", action: { type: "tag", tags: ["big-budget"] }, next: "lead" },
    { id: "lead", kind: "action", action: { type: "create_lead", source: "chat" }, next: "assign" },
    {
      id: "assign",
      kind: "action",
      action: { type: "assign", strategy: "round_robin", team: "sales" },
      next: "done",
    },
    {
      id: "done",
      kind: "end",
      message: "Thanks {{fields.name.first}}, a specialist will email {{fields.email| you}}.",
    },
  ],
  rules: [
    {
      id: "enterprise_min",
      when: { all: [{ var: "fields.plan", op: "eq", value: "enterprise" }] },
      check: { var: "fields.budget", op: "gte", value: 5000 },
      message: "Enterprise starts at $5,000 — could you share a budget of at least that?",
    },
  ],
};

export const bookingRoute: RouteInput = {
  id: "booking",
  name: "Book a visit",
  examples: ["book a visit", "schedule an appointment"],
  steps: [
    {
      id: "start",
      kind: "ask",
      prompt: "From which date?",
      field: {
        name: "from",
        label: "Start date",
        type: "date",
        validation: { required: true, minDate: "today" },
      },
      next: "end_date",
    },
    {
      id: "end_date",
      kind: "ask",
      prompt: "Until which date?",
      field: { name: "to", label: "End date", type: "date" },
      maxAttempts: 2,
      onMaxAttempts: "end",
      next: "phone",
    },
    {
      id: "phone",
      kind: "ask",
      prompt: "Your phone number?",
      field: { name: "phone", label: "Phone", type: "phone" },
      next: "note",
    },
    {
      id: "note",
      kind: "say",
      text: "Booked {{fields.from}} to {{fields.to}}.",
      rephrase: true,
      next: "fin",
    },
    { id: "fin", kind: "end" },
  ],
  rules: [
    {
      id: "order",
      check: { var: "fields.to", op: "gt", other: "fields.from" },
      message: "The end date must be after the start date.",
    },
  ],
};

export const supportRoute: RouteInput = {
  id: "billing_support",
  name: "Billing problem",
  examples: ["problem with my invoice"],
  entry: { channels: ["web"], businessHours: "open" },
  steps: [
    { id: "to_billing", kind: "handoff", team: "billing", message: "Let me get someone from billing." },
  ],
};

export const routes: Route[] = [quoteRoute, bookingRoute, supportRoute].map((r) => RouteSchema.parse(r));

/** Keyword selector standing in for the real router: deterministic and independent of its tuning. */
export function fakeSelector(text: string): Selection {
  const t = text.toLowerCase();
  const hit = (routeId: string, confidence: number, needsAdjudication = false): Selection => {
    const top = { routeId, score: confidence, confidence };
    return { candidates: [top], top, outOfScope: false, needsAdjudication };
  };
  if (t.includes("quote") || t.includes("price")) return hit("quote", 0.9);
  if (t.includes("book")) return hit("booking", 0.85);
  if (t.includes("invoice")) return hit("billing_support", 0.8);
  if (t.includes("maybe")) return hit("quote", 0.3, true);
  return { candidates: [], top: null, outOfScope: true, needsAdjudication: false };
}

/** Friday 2025-03-14 10:00 in New York (14:00 UTC). */
export const OPEN_NOW = new Date("2025-03-14T14:00:00Z");
/** Friday 2025-03-14 22:00 in New York. */
export const CLOSED_NOW = new Date("2025-03-15T02:00:00Z");

export function makeCtx(overrides: Partial<StepContext> = {}): StepContext {
  return {
    now: OPEN_NOW,
    random: seededRandom(42),
    routes,
    routesVersion: "v1",
    selectRoute: fakeSelector,
    channel: "web",
    timeZone: "America/New_York",
    businessHours: {
      weekly: {
        mon: [{ open: "09:00", close: "17:00" }],
        tue: [{ open: "09:00", close: "17:00" }],
        wed: [{ open: "09:00", close: "17:00" }],
        thu: [{ open: "09:00", close: "17:00" }],
        fri: [{ open: "09:00", close: "17:00" }],
      },
    },
    defaultCountry: "US",
    defaultCurrency: "USD",
    aiAvailable: false,
    ...overrides,
  };
}
