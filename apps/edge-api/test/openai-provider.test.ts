import { env } from "cloudflare:test";
import OpenAI from "openai";
import { describe, expect, it } from "vitest";
import { type OpenAiConfig, openAiProvider } from "../src/ai/openai.js";
import { parseToolCalls, proposalRequest } from "../src/ai/proposals.js";
import type { ChatRequest } from "../src/ai/provider.js";
import { TEXT_ANSWER } from "./fake-openai.js";

// The openai provider itself, in workerd, against the local fake (test/fake-openai.ts) speaking SSE:
// a streamed answer is assembled into exactly what the one-body answer gives, and a stream that
// breaks, stalls or lacks its usage is handled. The conversation-level fallbacks are in
// conversations-ai.test.ts.

const provider = (model: string, stream: boolean, over: Partial<OpenAiConfig> = {}) =>
  openAiProvider({
    apiKey: "sk-test",
    baseUrl: env.FAKE_OPENAI_URL,
    model,
    timeoutMs: 400,
    retries: 1,
    stream,
    ...over,
  });

async function stats(): Promise<{ calls: Record<string, number>; streamed: Record<string, number> }> {
  return (await (await fetch(env.FAKE_OPENAI_URL.replace(/\/v1$/, "/stats"))).json()) as {
    calls: Record<string, number>;
    streamed: Record<string, number>;
  };
}

const routeAndRephrase: ChatRequest = proposalRequest(
  [
    {
      type: "adjudicate_route",
      text: "how much does it cost?",
      candidates: [
        { routeId: "quote", name: "Quote", confidence: 0.5 },
        { routeId: "support", name: "Support", confidence: 0.4 },
      ],
    },
    { type: "rephrase", routeId: "quote", stepId: "greet", text: "Happy to help with a quote!" },
  ],
  "how much does it cost?",
);

describe("openai provider, streamed", () => {
  it("assembles streamed text deltas into the answer", async () => {
    const before = (await stats()).streamed["fake-ok"] ?? 0;
    const result = await provider("fake-ok", true).chat({
      messages: [{ role: "user", content: "hi" }],
      tools: [],
    });
    expect(result).toEqual({ text: TEXT_ANSWER, toolCalls: [], tokens: 50 });
    expect((await stats()).streamed["fake-ok"]).toBe(before + 1);
  });

  it("assembles tool calls from argument fragments, as the one-body answer has them", async () => {
    const streamed = await provider("fake-ok", true).chat(routeAndRephrase);
    const whole = await provider("fake-ok", false).chat(routeAndRephrase);
    expect(streamed.toolCalls).toEqual([
      { name: "choose_route", arguments: JSON.stringify({ routeId: "quote" }) },
      {
        name: "rephrase",
        arguments: JSON.stringify({ stepId: "greet", text: "Of course! Happy to help with a quote!" }),
      },
    ]);
    expect(streamed).toEqual(whole);
    expect(parseToolCalls(streamed.toolCalls)).toEqual({
      proposals: [
        { type: "choose_route", routeId: "quote" },
        { type: "rephrase", stepId: "greet", text: "Of course! Happy to help with a quote!" },
      ],
      malformed: 0,
    });
  });

  it("malformed streamed arguments are counted as malformed, as unstreamed ones are", async () => {
    const streamed = await provider("fake-malformed", true).chat(routeAndRephrase);
    const whole = await provider("fake-malformed", false).chat(routeAndRephrase);
    expect(streamed.toolCalls).toEqual(whole.toolCalls);
    expect(parseToolCalls(streamed.toolCalls)).toEqual({ proposals: [], malformed: 2 });
  });

  it("counts tokens from the final usage chunk, and estimates them when a server sends none", async () => {
    expect((await provider("fake-ok", true).chat(routeAndRephrase)).tokens).toBe(50);
    const estimated = (await provider("fake-nousage", true).chat(routeAndRephrase)).tokens;
    const chars = routeAndRephrase.messages.reduce((n, m) => n + m.content.length, 0);
    expect(estimated).toBeGreaterThan(chars / 4);
    expect(estimated).not.toBe(50);
  });

  it("a stream cut mid-way is a connection error, retried once, never a partial answer", async () => {
    const before = (await stats()).streamed["fake-broken"] ?? 0;
    const error = await provider("fake-broken", true)
      .chat(routeAndRephrase)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    expect((await stats()).streamed["fake-broken"]).toBe(before + 2);
  });

  it("a stream that ends cleanly before its finish_reason is an error too, not half a tool call", async () => {
    const error = await provider("fake-truncated", true, { retries: 0 })
      .chat(routeAndRephrase)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionError);
    expect((error as Error).message).toContain("finish_reason");
  });

  it("a stream that stalls after its first chunk times out per attempt", async () => {
    const before = (await stats()).streamed["fake-stall"] ?? 0;
    const started = Date.now();
    const error = await provider("fake-stall", true, { retries: 0 })
      .chat(routeAndRephrase)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIConnectionTimeoutError);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(3000);
    expect((await stats()).streamed["fake-stall"]).toBe(before + 1);
  });
});
