// The step function with the real route selector (src/router) rather than the fake one.
import { describe, expect, it } from "vitest";
import { KNOWLEDGE_FALLBACK } from "./dialogue/knowledge.js";
import { compileRouter, select } from "./router/index.js";
import { routes } from "./testing/fixtures.js";
import { eventTypes, play, texts, types } from "./testing/run.js";

const examples: Record<string, string[]> = {
  quote: [
    "I want a quote",
    "how much does it cost",
    "pricing for 20 seats",
    "can you send me a price list",
    "what would it cost for my team",
  ],
  booking: [
    "book a visit",
    "schedule an appointment",
    "I'd like to come by next week",
    "can I reserve a slot",
    "make a booking",
  ],
  billing_support: [
    "problem with my invoice",
    "I was charged twice",
    "refund my payment",
    "my bill is wrong",
    "billing issue",
  ],
};

describe("step with the real router", () => {
  const model = compileRouter(routes.map((r) => ({ ...r, examples: examples[r.id] ?? r.examples })));
  const selectRoute = (text: string) => select(model, text);

  it("selects routes from paraphrases and runs them", () => {
    expect(play(["how much would 20 seats cost?"], { selectRoute }).state.active?.routeId).toBe("quote");
    expect(play(["I'd like to schedule a visit"], { selectRoute }).state.active?.routeId).toBe("booking");
  });

  it("applies entry conditions on top of the router's ranking", () => {
    const { last } = play(["I was charged twice on my invoice"], { selectRoute, channel: "email" });
    expect(last.state.active?.routeId).not.toBe("billing_support");
    expect(last.state.handoff).toBeNull();
  });
});

describe("a playbook and the knowledge base compete on confidence", () => {
  const withExamples = routes.map((r) => ({ ...r, examples: examples[r.id] ?? r.examples }));
  const model = compileRouter(withExamples);
  const selectRoute = (text: string) => select(model, text);
  const catalogue = [
    { id: "c-cargo", text: "The Cargo bike costs $3,990, battery included.", title: "Bikes" },
    { id: "c-hours", text: "The shop opens at 9 on weekdays.", title: "Visit us" },
  ];
  const ctx = { selectRoute, routes: withExamples, retrievesKnowledge: true };

  it("asks for the knowledge base before starting a weakly matching route", () => {
    const { last } = play(["How much does the cargo bike cost?"], ctx);
    expect(types(last)).toEqual(["answer_from_knowledge"]);
    expect(last.state.active).toBeNull();
    expect(last.replies).toEqual([]);
  });

  it("answers from knowledge when the answer covers more of the question than the route", () => {
    const { last } = play([{ text: "How much does the cargo bike cost?", knowledge: catalogue }], ctx);
    expect(texts(last)).toEqual(["The Cargo bike costs $3,990, battery included."]);
    expect(last.state.active).toBeNull();
    const outranked = last.events.find((e) => e.type === "route.outranked");
    expect(outranked).toMatchObject({ routeId: "quote", knowledgeConfidence: 1 });
    expect(outranked?.type === "route.outranked" && outranked.routeConfidence).toBeLessThan(0.5);
  });

  it("starts the route on a request it matches when the knowledge base has no better answer", () => {
    const { last } = play(
      [{ text: "pricing for 20 seats and the cargo bike", knowledge: catalogue.slice(1) }],
      ctx,
    );
    expect(last.state.active?.routeId).toBe("quote");
    expect(eventTypes(last)).not.toContain("route.outranked");
  });

  it("never starts a playbook that knows under half of a question: not sure, and a person offered", () => {
    const { last } = play(
      [{ text: "How much does the cargo bike cost?", knowledge: catalogue.slice(1) }],
      ctx,
    );
    expect(last.state.active).toBeNull();
    expect(texts(last)).toEqual([KNOWLEDGE_FALLBACK]);
    expect(last.events.find((e) => e.type === "route.outranked")).toMatchObject({
      routeId: "quote",
      knowledgeConfidence: 0,
    });
  });

  it("does not retrieve for a request the route knows every word of, nor for the owner's own example", () => {
    for (const text of ["pricing for 20 seats for my team", "how much does it cost?"]) {
      const { last } = play([text], ctx);
      expect(types(last)).not.toContain("answer_from_knowledge");
      expect(last.state.active?.routeId).toBe("quote");
    }
  });

  it("asks the pages about a question the route knows every word of: they may answer it better", () => {
    const hours = [
      { id: "c-seats", text: "Pricing for 20 seats: $400 a month, billed yearly.", title: "Teams" },
    ];
    expect(types(play(["how much would 20 seats cost?"], ctx).last)).toEqual(["answer_from_knowledge"]);
    const { last } = play([{ text: "how much would 20 seats cost?", knowledge: hours }], ctx);
    expect(texts(last)).toEqual(["Pricing for 20 seats: $400 a month, billed yearly."]);
    expect(last.state.active).toBeNull();
  });

  it("keeps the route when the host does not retrieve", () => {
    const { last } = play(["How much does the cargo bike cost?"], { selectRoute });
    expect(last.state.active?.routeId).toBe("quote");
  });
});
