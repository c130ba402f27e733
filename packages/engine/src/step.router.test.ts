// The step function with the real route selector (src/router) rather than the fake one.
import { describe, expect, it } from "vitest";
import { compileRouter, select } from "./router/index.js";
import { routes } from "./testing/fixtures.js";
import { play } from "./testing/run.js";

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
