// Workers AI as a tenant's provider (issue 18, item 4), against a local fake of the AI binding
// (fake-workers-ai.js, bound as AI over RPC like the real one): the provider's wire format, the
// settings API, and a customer's question answered by a drafted, grounded answer.
import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { workersAiEmbedder } from "../src/ai/embeddings.js";
import { WORKERS_AI_DEFAULT_MODEL, type WorkersAiBinding, workersAiProvider } from "../src/ai/workers-ai.js";
import { say, startConversation, type Tenant, tenantWithWidget } from "./conversation-helpers.js";
import { call } from "./helpers.js";

type Message = { sender: string; text: string; data: { kind?: string; citations?: string[] } };
const answerOf = (res: { json: { messages: Message[] } }) =>
  res.json.messages.find((m) => m.sender === "bot" && m.data.kind === "answer");

function binding(): WorkersAiBinding {
  if (!env.AI) throw new Error("the test worker has no AI binding (vitest.config.ts)");
  return env.AI;
}
const provider = (model = WORKERS_AI_DEFAULT_MODEL) =>
  workersAiProvider({ binding: binding(), model, timeoutMs: 2000, retries: 0 });

async function useWorkersAi(t: Tenant, body: Record<string, unknown> = {}) {
  const res = await call("/v1/ai/settings", {
    method: "PUT",
    headers: t.auth,
    body: { provider: "workers-ai", ...body },
  });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json;
}

describe("the Workers AI provider", () => {
  it("sends tools in Workers AI's shape and reads its tool calls, object or string arguments alike", async () => {
    const context = {
      role: "system" as const,
      content: '<chunk id="c1">\nHours\nWe open at 9. We close at 5.\n</chunk>',
    };
    const tools = [{ name: "answer_with_citations", description: "answer", parameters: { type: "object" } }];
    const out = await provider().chat({
      messages: [context, { role: "user", content: "when do you open?" }],
      tools,
    });
    expect(out.toolCalls).toEqual([
      {
        name: "answer_with_citations",
        arguments: JSON.stringify({ text: "We open at 9.", citations: ["c1"] }),
      },
    ]);
    expect(out.tokens).toBe(60);
    const stringArgs = await provider().chat({
      messages: [context, { role: "user", content: "when? [string-args]" }],
      tools,
    });
    expect(JSON.parse(stringArgs.toolCalls[0]?.arguments ?? "{}")).toEqual({
      text: "We open at 9.",
      citations: ["c1"],
    });
    expect((await provider().chat({ messages: [{ role: "user", content: "hi" }], tools: [] })).text).toBe(
      "OK",
    );
  });

  it("fails as an error the turn falls back from: an unknown model, an overloaded one", async () => {
    await expect(provider("@cf/no/such-model").chat({ messages: [], tools: [] })).rejects.toThrow(/5007/);
    await expect(
      provider().chat({ messages: [{ role: "user", content: "[fail]" }], tools: [] }),
    ).rejects.toThrow(/Capacity/);
  });

  it("embeds in batches of at most 100 texts, normalised", async () => {
    const embedder = workersAiEmbedder(binding(), "@cf/baai/bge-base-en-v1.5");
    const texts = Array.from({ length: 150 }, (_, i) => `desk number ${i}`);
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(150);
    for (const v of [vectors[0], vectors[149]])
      expect(Math.abs(Math.hypot(...(v ?? [])) - 1)).toBeLessThan(1e-9);
  });
});

describe("Workers AI in the settings and in a conversation", () => {
  it("is saved with its default models, tested, and validated", async () => {
    const t = await tenantWithWidget([]);
    const before = await call("/v1/ai/settings", { headers: t.auth });
    expect(before.json.workersAi).toMatchObject({ available: true, defaultModel: WORKERS_AI_DEFAULT_MODEL });
    const saved = await useWorkersAi(t);
    expect(saved).toMatchObject({
      provider: "workers-ai",
      model: WORKERS_AI_DEFAULT_MODEL,
      embeddingModel: "@cf/baai/bge-base-en-v1.5",
      baseUrl: null,
    });
    const tested = await call("/v1/ai/test", { headers: t.auth, body: {} });
    expect(tested.json).toMatchObject({ ok: true, model: WORKERS_AI_DEFAULT_MODEL });
    const wrong = await call("/v1/ai/test", {
      headers: t.auth,
      body: { provider: "workers-ai", model: "@cf/no/such-model" },
    });
    expect(wrong.json).toMatchObject({ ok: false });
    expect(wrong.json.error).toMatch(/No such model/);
    const bad = await call("/v1/ai/settings", {
      method: "PUT",
      headers: t.auth,
      body: { provider: "workers-ai", model: "" },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/model/);
  });

  it("answers a customer with a drafted answer it grounds: an invented price never reaches them", async () => {
    const t = await tenantWithWidget([]);
    const source = await call("/v1/knowledge/sources", {
      headers: t.auth,
      body: {
        kind: "faq",
        name: "FAQ",
        pairs: [
          { question: "What are your opening hours?", answer: "We open at 9 on weekdays. We close at 5." },
        ],
      },
    });
    expect(source.status).toBe(201);
    await useWorkersAi(t, { embeddingModel: null });
    const drafted = answerOf(await say(await startConversation(t), "What are your opening hours?"));
    expect(drafted?.text).toBe("We open at 9 on weekdays.");
    expect(drafted?.data.citations).toHaveLength(1);
    const invented = answerOf(await say(await startConversation(t), "What are your opening hours? [invent]"));
    expect(invented?.text).toBe("We open at 9 on weekdays.");
    // A model that fails (here: one Workers AI does not have) leaves the customer the offline answer.
    await useWorkersAi(t, { model: "@cf/no/such-model", embeddingModel: null });
    const failed = answerOf(await say(await startConversation(t), "What are your opening hours?"));
    expect(failed?.text).toBe("We open at 9 on weekdays. We close at 5.");
  });
});
