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
  it("uses valid tool calls (a rephrased say step), streamed and assembled from their fragments", async () => {
    const t = await tenantWithWidget([quoteRoute]);
    await useFakeOpenAi(t, "fake-ok");
    const c = await startConversation(t);
    const streamedBefore = await fakeCalls("fake-ok", "streamed");
    expect(texts(await say(c, "how much does it cost?"))).toEqual([
      "Of course! Happy to help with a quote!",
      "Which plan?",
    ]);
    expect(await fakeCalls("fake-ok", "streamed")).toBe(streamedBefore + 1);
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

  it("falls back on malformed tool calls, timeouts, server errors, and streams that break or stall", async () => {
    // fake-broken cuts the connection after half a tool call, fake-stall goes silent after it: the
    // half-received arguments are never used.
    for (const model of ["fake-malformed", "fake-timeout", "fake-500", "fake-broken", "fake-stall"]) {
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

  it("the daily token budget stops model calls (tokens from the streamed usage chunk)", async () => {
    const t = await tenantWithWidget([quoteRoute]);
    await useFakeOpenAi(t, "fake-ok", 30); // one call uses 50 tokens
    const before = await fakeCalls("fake-ok");
    const streamedBefore = await fakeCalls("fake-ok", "streamed");
    const c1 = await startConversation(t);
    expect(texts(await say(c1, "how much does it cost?"))[0]).toBe("Of course! Happy to help with a quote!");
    expect(await fakeCalls("fake-ok")).toBe(before + 1);
    const c2 = await startConversation(t);
    expect(texts(await say(c2, "how much does it cost?"))[0]).toBe("Happy to help with a quote!");
    expect(await fakeCalls("fake-ok")).toBe(before + 1);
    expect(await fakeCalls("fake-ok", "streamed")).toBe(streamedBefore + 1);
  });

  it("the budget is charged exactly the streamed usage", async () => {
    // 50 tokens per call (the fake's usage chunk): a budget of 101 allows three calls, not four.
    // An estimate from the text instead (~4 characters a token) would stop after one or two.
    const t = await tenantWithWidget([quoteRoute]);
    await useFakeOpenAi(t, "fake-ok", 101);
    const before = await fakeCalls("fake-ok");
    const first: string[] = [];
    for (let i = 0; i < 4; i++) {
      const c = await startConversation(t);
      first.push(texts(await say(c, "how much does it cost?"))[0] ?? "");
    }
    expect(first).toEqual([
      "Of course! Happy to help with a quote!",
      "Of course! Happy to help with a quote!",
      "Of course! Happy to help with a quote!",
      "Happy to help with a quote!",
    ]);
    expect(await fakeCalls("fake-ok")).toBe(before + 3);
  });
});
