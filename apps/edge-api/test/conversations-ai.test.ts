import { describe, expect, it } from "vitest";
import {
  fakeCalls,
  quoteRoute,
  say,
  startConversation,
  tenantWithWidget,
  texts,
  useFakeOpenAi,
} from "./conversation-helpers.js";

// The OpenAI path against the local fake server (test/fake-openai.ts): the model proposes, the engine
// disposes, and every failure of the model falls back to the deterministic reply.

describe("AI providers", () => {
  it("uses valid tool calls (a rephrased say step)", async () => {
    const t = await tenantWithWidget([quoteRoute]);
    await useFakeOpenAi(t, "fake-ok");
    const c = await startConversation(t);
    expect(texts(await say(c, "how much does it cost?"))).toEqual([
      "Of course! Happy to help with a quote!",
      "Which plan?",
    ]);
  });

  it("answers two messages sent at once in order, even when the first waits on a slow AI call", async () => {
    // "[slow]" makes the fake answer after 1.5 s, beyond this suite's AI deadline (AI_TIMEOUT_MS 400,
    // one retry): the first turn spends ~1 s awaiting the model, then falls back to the route's own
    // words. The second message arrives meanwhile (the input gate is open during the model call) and
    // must wait its turn: if it ran first it would not find the "Which plan?" question it answers.
    const t = await tenantWithWidget([quoteRoute]);
    await useFakeOpenAi(t, "fake-ok");
    const c = await startConversation(t);
    const callsBefore = await fakeCalls("fake-ok");
    const first = say(c, "how much does it cost? [slow]");
    await new Promise((r) => setTimeout(r, 100));
    const second = say(c, "Pro");
    const [a, b] = await Promise.all([first, second]);
    expect(await fakeCalls("fake-ok")).toBeGreaterThan(callsBefore); // the first turn did call the model
    expect(texts(a)).toEqual(["Happy to help with a quote!", "Which plan?"]);
    expect(texts(b)).toEqual(["Thanks, we'll be in touch."]);
    const seqA = a.json.messages.map((m: { seq: number }) => m.seq);
    const seqB = b.json.messages.map((m: { seq: number }) => m.seq);
    expect(Math.max(...seqA)).toBeLessThan(Math.min(...seqB));
  });

  it("falls back on malformed tool calls, timeouts and server errors", async () => {
    for (const model of ["fake-malformed", "fake-timeout", "fake-500"]) {
      const t = await tenantWithWidget([quoteRoute]);
      await useFakeOpenAi(t, model);
      const c = await startConversation(t);
      const started = Date.now();
      const res = await say(c, "how much does it cost?");
      expect(res.status, model).toBe(200);
      expect(texts(res), model).toEqual(["Happy to help with a quote!", "Which plan?"]);
      expect(Date.now() - started, model).toBeLessThan(5000);
      expect(await fakeCalls(model)).toBeGreaterThan(0);
    }
  });

  it("the daily token budget stops model calls", async () => {
    const t = await tenantWithWidget([quoteRoute]);
    await useFakeOpenAi(t, "fake-ok", 30); // one call uses 50 tokens
    const before = await fakeCalls("fake-ok");
    const c1 = await startConversation(t);
    expect(texts(await say(c1, "how much does it cost?"))[0]).toBe("Of course! Happy to help with a quote!");
    expect(await fakeCalls("fake-ok")).toBe(before + 1);
    const c2 = await startConversation(t);
    expect(texts(await say(c2, "how much does it cost?"))[0]).toBe("Happy to help with a quote!");
    expect(await fakeCalls("fake-ok")).toBe(before + 1);
  });
});
