import { describe, expect, it } from "vitest";
import { compileRouter, type RouterModel, select } from "./index.js";
import type { RouteForRouting } from "./types.js";

const routes: RouteForRouting[] = [
  {
    id: "pricing",
    name: "Pricing",
    description: "Questions about prices, plans and costs",
    examples: [
      "How much does it cost?",
      "What are your prices?",
      "Do you have a free plan?",
      "How expensive is the pro plan per month?",
      "Can I see the pricing for teams?",
    ],
  },
  {
    id: "demo",
    name: "Book a demo",
    description: "Schedule a product demonstration",
    examples: [
      "I'd like to book a demo",
      "Can you show me the product in a live demo?",
      "Schedule a demo call please",
      "I want to see a demonstration of the software",
      "Could we set up a walkthrough meeting?",
    ],
  },
  {
    id: "support",
    name: "Support",
    description: "Technical problems and bugs",
    examples: [
      "The app keeps crashing",
      "I can't log in to my account",
      "I found a bug in the dashboard",
      "My password reset email never arrived",
      "Something is broken, I need help",
    ],
  },
  {
    id: "sales",
    name: "Talk to sales",
    description: "Speak with a salesperson about buying",
    examples: [
      "I want to talk to someone in sales",
      "Can a sales rep contact me?",
      "We are interested in buying licenses for our company",
      "Put me in touch with your sales team",
      "I need a quote for an enterprise contract",
    ],
  },
  {
    id: "hours",
    name: "Opening hours",
    description: "When the office or support is open",
    examples: [
      "What are your opening hours?",
      "When are you open?",
      "Are you open on weekends?",
      "What time do you close today?",
      "Is the office open on Sunday?",
    ],
  },
];

const model = compileRouter(routes);
const top = (m: RouterModel, text: string) => select(m, text).candidates[0]?.routeId;

describe("select", () => {
  it.each([
    ["what's the price of the pro plan?", "pricing"],
    ["how much would it cost for my team", "pricing"],
    ["can i schedule a demo for tomorrow", "demo"],
    ["show me a demonstration", "demo"],
    ["i cannot log into my acount", "support"],
    ["the dashbaord crashes all the time", "support"],
    ["connect me with a sales representative", "sales"],
    ["when do you open on saturday", "hours"],
    ["wat are ur opening hours", "hours"],
    ["pricng plans", "pricing"],
  ])("routes %j to %s", (text, expected) => {
    const s = select(model, text);
    expect(s.candidates[0]?.routeId).toBe(expected);
    expect(s.outOfScope).toBe(false);
    expect(s.top?.routeId).toBe(expected);
    expect(s.top?.confidence).toBeGreaterThan(0);
    expect(s.top?.confidence).toBeLessThanOrEqual(1);
  });

  it("ranks candidates best first with confidences summing to at most 1", () => {
    const s = select(model, "how much is it", { topK: 5 });
    expect(s.candidates).toHaveLength(5);
    for (let i = 1; i < s.candidates.length; i++) {
      expect(s.candidates[i - 1]?.score).toBeGreaterThanOrEqual(s.candidates[i]?.score ?? 0);
    }
    const total = s.candidates.reduce((a, c) => a + c.confidence, 0);
    expect(total).toBeLessThanOrEqual(1 + 1e-9);
    expect(select(model, "how much is it", { topK: 2 }).candidates).toHaveLength(2);
  });

  it.each(["what's the weather on Mars", "my cat likes tuna sandwiches", "qwxz zzkj"])(
    "treats %j as out of scope",
    (text) => {
      const s = select(model, text);
      expect(s.outOfScope).toBe(true);
      expect(s.top).toBeNull();
    },
  );

  it.each(["", "   ", "\n\t"])("treats empty text %j as out of scope without throwing", (text) => {
    const s = select(model, text);
    expect(s).toEqual({ candidates: [], top: null, outOfScope: true, needsAdjudication: false });
  });

  it("honours a threshold override", () => {
    expect(select(model, "what are your prices", { threshold: 1.01 }).outOfScope).toBe(true);
    expect(select(model, "what's the weather on Mars", { threshold: 0 }).outOfScope).toBe(false);
  });

  it("never selects a disabled route", () => {
    const m = compileRouter(routes.map((r) => (r.id === "pricing" ? { ...r, enabled: false } : r)));
    expect(m.routes.map((r) => r.id)).not.toContain("pricing");
    for (const text of ["How much does it cost?", "What are your prices?", "pricing"]) {
      expect(select(m, text).candidates.map((c) => c.routeId)).not.toContain("pricing");
    }
  });

  it("gives identical selections after a JSON round trip", () => {
    const copy = JSON.parse(JSON.stringify(model)) as RouterModel;
    expect(copy.version).toBe(model.version);
    for (const text of ["book a demo", "prices?", "weather on mars", "i cant login", ""]) {
      expect(select(copy, text)).toEqual(select(model, text));
    }
  });

  it("is deterministic", () => {
    expect(JSON.stringify(compileRouter(routes))).toBe(JSON.stringify(model));
    expect(select(model, "demo please")).toEqual(select(model, "demo please"));
  });

  it("lets strong embedding similarities change the ranking", () => {
    const text = "I would like to know more";
    const lexical = top(model, text);
    const target = lexical === "hours" ? "pricing" : "hours";
    const embeddingSimilarities = Object.fromEntries(routes.map((r) => [r.id, r.id === target ? 0.9 : 0.1]));
    expect(select(model, text, { embeddingSimilarities }).candidates[0]?.routeId).toBe(target);
    // Weak, flat similarities leave the lexical choice alone.
    const flat = Object.fromEntries(routes.map((r) => [r.id, 0.5]));
    expect(select(model, "what are your prices", { embeddingSimilarities: flat }).top?.routeId).toBe(
      "pricing",
    );
  });

  it("breaks ties by priority", () => {
    const twin = (id: string, priority: number): RouteForRouting => ({
      id,
      name: "Refunds",
      examples: ["I want my money back", "refund my order", "how do I get a refund"],
      priority,
    });
    for (const [lo, hi] of [
      ["a", "b"],
      ["b", "a"],
    ] as const) {
      const m = compileRouter([...routes, twin(lo, 1), twin(hi, 5)]);
      const s = select(m, "please refund my order");
      expect(s.candidates[0]?.score).toBe(s.candidates[1]?.score);
      expect(s.candidates[0]?.routeId).toBe(hi);
      expect(s.candidates[1]?.routeId).toBe(lo);
      expect(s.candidates[0]?.confidence).toBe(s.candidates[1]?.confidence);
      // Two equally good routes: when accepted, the host should let an LLM adjudicate if it can.
      expect(select(m, "please refund my order", { threshold: 0 }).needsAdjudication).toBe(true);
    }
  });

  it("flags low-margin selections for adjudication but not clear ones", () => {
    expect(select(model, "I'd like to book a demo").needsAdjudication).toBe(false);
  });

  it("handles a model with no enabled routes and a single route", () => {
    const none = compileRouter(routes.map((r) => ({ ...r, enabled: false })));
    expect(select(none, "hello")).toEqual({
      candidates: [],
      top: null,
      outOfScope: true,
      needsAdjudication: false,
    });
    const one = compileRouter([routes[0] as RouteForRouting]);
    expect(select(one, "how much does the pro plan cost").top?.routeId).toBe("pricing");
  });

  // Known limitation: with a single route there are no other routes to simulate an unseen intent, so the
  // in-scope gate is a fallback and does not yet reject this text.
  it("rejects unrelated text with a single route", () => {
    const one = compileRouter([routes[0] as RouteForRouting]);
    expect(select(one, "what's the weather on Mars").outOfScope).toBe(true);
  });
});
