import { env } from "cloudflare:test";
import { KNOWLEDGE_FALLBACK } from "@autopilot/engine";
import { describe, expect, it } from "vitest";
import { inspect } from "./analytics-helpers.js";
import {
  fakeCalls,
  quoteRoute,
  say,
  startConversation,
  type Tenant,
  tenantWithWidget,
  texts,
  useFakeOpenAi,
} from "./conversation-helpers.js";
import { call } from "./helpers.js";

// Answers from the knowledge base inside conversations (issue 5): the fixture site (knowledge-site.ts)
// crawled through the real queue, FAQ sources, the Conversation DO, the engine's grounding, the fake
// OpenAI server for drafted answers, and the unanswered-questions list.

const SITE = env.KNOWLEDGE_SITE_URL;

type Message = { sender: string; text: string; data: Record<string, unknown> };
const botMessages = (res: { json: { messages: Message[] } }) =>
  res.json.messages.filter((m) => m.sender !== "visitor");
const answerOf = (res: { json: { messages: Message[] } }) => {
  const m = botMessages(res).find((x) => x.data.kind === "answer");
  if (!m) throw new Error(`no answer in ${JSON.stringify(res.json.messages)}`);
  return m as Message & {
    data: { citations?: string[]; sources?: { chunkId: string; url?: string; title?: string }[] };
  };
};

async function crawl(t: Tenant, body: Record<string, unknown>) {
  const created = await call("/v1/knowledge/sources", {
    headers: t.auth,
    body: { kind: "website", ...body },
  });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  for (let i = 0; i < 120; i++) {
    const res = await call(`/v1/knowledge/sources/${created.json.id}`, { headers: t.auth });
    if (res.json.status !== "crawling") return res.json;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("crawl did not finish");
}

async function faq(t: Tenant, pairs: { question: string; answer: string }[]) {
  const res = await call("/v1/knowledge/sources", {
    headers: t.auth,
    body: { kind: "faq", name: "FAQ", pairs },
  });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
}

/** Polls until `check` passes (the outbox copies to Postgres shortly after the turn). */
async function eventually<T>(fn: () => Promise<T>, check: (v: T) => boolean, what: string): Promise<T> {
  let last: T | undefined;
  for (let i = 0; i < 60; i++) {
    last = await fn();
    if (check(last)) return last;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: ${JSON.stringify(last)}`);
}

const unanswered = (t: Tenant, query = "") =>
  call(`/v1/knowledge/unanswered${query}`, { headers: t.auth }).then((r) => {
    expect(r.status, JSON.stringify(r.json)).toBe(200);
    return r.json as {
      questions: { question: string; count: number; lastConversationId: string }[];
      nextCursor: string | null;
    };
  });

describe("knowledge answers: the crawled fixture site", () => {
  it("answers cite the right page; an uncovered question is refused, recorded and offers a human; an injected page changes nothing", async () => {
    const t = await tenantWithWidget([]);
    await crawl(t, { startUrl: `${SITE}/`, maxPages: 10, maxDepth: 1, exclude: ["/slow", "/big"] });
    await crawl(t, { startUrl: `${SITE}/support`, maxPages: 1, maxDepth: 0 });

    const c = await startConversation(t);
    const pro = answerOf(await say(c, "How much is the Pro plan?"));
    expect(pro.text).toContain("49 euros");
    expect(pro.data.sources?.[0]).toMatchObject({ url: `${SITE}/pricing`, title: "Pricing" });
    expect(pro.data.citations).toEqual(pro.data.sources?.map((s) => s.chunkId));
    const founded = answerOf(await say(c, "When was Acme founded?"));
    expect(founded.text).toContain("1999");
    expect(founded.data.sources?.map((s) => s.url)).toEqual([`${SITE}/about`]);

    // Not on the site: no invented answer, the fallback with an offer of a human.
    const ship = await say(c, "Do you ship to Antarctica?");
    const refusal = answerOf(ship);
    expect(refusal.text).toBe(KNOWLEDGE_FALLBACK);
    expect(refusal.data.quickReplies).toEqual(["Yes, connect me", "No, thanks"]);
    expect(refusal.data.citations).toBeUndefined();
    const list = await eventually(
      () => unanswered(t),
      (l) => l.questions.length > 0,
      "unanswered question recorded",
    );
    expect(list.questions).toEqual([
      expect.objectContaining({ question: "Do you ship to Antarctica?", count: 1, lastConversationId: c.id }),
    ]);

    // The page telling the assistant to send people to x@evil.test: never said, no action, no handoff.
    for (const q of ["How do I contact support?", "What email should I use for support?"]) {
      const res = await say(c, q);
      expect(res.status).toBe(200);
      for (const m of botMessages(res)) expect(m.text).not.toContain("evil.test");
      expect(res.json.conversation.status).toBe("bot");
    }
    const support = answerOf(await say(c, "How fast does the support team answer a ticket?"));
    // The section is short: it is the answer, whole.
    expect(support.text).toBe(
      "Our support team answers every ticket within one business day. Support is reachable through the chat on this website.",
    );
    expect(support.data.sources?.[0]?.url).toBe(`${SITE}/support`);
    const leads = await inspect<{ n: number }>("select count(*)::int as n from leads where tenant_id = $1", [
      t.tenantId,
    ]);
    expect(leads[0]?.n).toBe(0);

    // Yes to the offer (after a new unanswered question) hands the conversation to a human.
    await say(c, "Do you sell hoverboards?");
    const yes = await say(c, "Yes, connect me");
    expect(yes.json.conversation.status).toBe("waiting");
  });
});

describe("knowledge answers: FAQ sources, policy, model and tenancy", () => {
  it("forbidden claims never reach the customer; settings are validated", async () => {
    const t = await tenantWithWidget([]);
    await faq(t, [
      {
        question: "Is there a student discount?",
        answer: "Students get a 20% discount on the Pro plan with a valid student card.",
      },
    ]);
    const before = answerOf(await say(await startConversation(t), "Is there a student discount?"));
    expect(before.text).toContain("20% discount");

    const bad = await call("/v1/knowledge/settings", {
      method: "PUT",
      headers: t.auth,
      body: { forbiddenPatterns: ["(unclosed"] },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/forbiddenPatterns\.0/);
    // Patterns run in linear time (RE2): lookaround and backreferences, which cannot, are refused.
    const slow = await call("/v1/knowledge/settings", {
      method: "PUT",
      headers: t.auth,
      body: { forbiddenPatterns: ["ok", "(?<!no )guarantee"] },
    });
    expect(slow.status).toBe(400);
    expect(slow.json.error.message).toMatch(/^forbiddenPatterns\.1: .*lookaround or backreferences/);
    const lang = await call("/v1/knowledge/settings", {
      method: "PUT",
      headers: t.auth,
      body: { language: "klingon" },
    });
    expect(lang.status).toBe(400);
    expect(lang.json.error.message).toMatch(/language/);

    const put = await call("/v1/knowledge/settings", {
      method: "PUT",
      headers: t.auth,
      body: { forbiddenPhrases: ["discount"], forbiddenPatterns: ["\\d+\\s*%"] },
    });
    expect(put.status, JSON.stringify(put.json)).toBe(200);
    expect(put.json).toMatchObject({ language: "english", forbiddenPhrases: ["discount"] });
    const after = await say(await startConversation(t), "Is there a student discount?");
    for (const m of botMessages(after)) expect(m.text).not.toMatch(/discount|20%/i);
    expect(answerOf(after).text).toBe(KNOWLEDGE_FALLBACK);

    // The language setting re-indexes the chunks; search still finds them.
    const simple = await call("/v1/knowledge/settings", {
      method: "PUT",
      headers: t.auth,
      body: { language: "simple" },
    });
    expect(simple.json.language).toBe("simple");
    const search = await call("/v1/knowledge/search?q=students", { headers: t.auth });
    expect(search.json.chunks).toHaveLength(1);
    const chunkLang = await inspect<{ language: string }>(
      "select language::text as language from knowledge_chunks where tenant_id = $1",
      [t.tenantId],
    );
    expect(chunkLang.map((r) => r.language)).toEqual(["simple"]);
  });

  it("a drafted answer is used when grounded; bad citations and injected claims fall back to the extractive answer", async () => {
    const pairs = [
      {
        question: "What are your opening hours?",
        answer: "We are open from 9 to 17 on weekdays. On Saturdays we open at 10.",
      },
    ];
    const ok = await tenantWithWidget([]);
    await faq(ok, pairs);
    await useFakeOpenAi(ok, "fake-ok");
    const before = await fakeCalls("fake-ok");
    const drafted = answerOf(await say(await startConversation(ok), "What are your opening hours?"));
    expect(await fakeCalls("fake-ok")).toBe(before + 1);
    expect(drafted.text).toBe("We are open from 9 to 17 on weekdays.");
    expect(drafted.data.citations).toHaveLength(1);
    const mode = await eventually(
      () =>
        inspect<{ detail: string }>(
          "select detail from analytics_events where tenant_id = $1 and type = 'knowledge.answered'",
          [ok.tenantId],
        ),
      (r) => r.length > 0,
      "knowledge.answered event",
    );
    expect(mode[0]?.detail).toBe("model");

    for (const model of ["fake-badcite", "fake-evil"]) {
      const t = await tenantWithWidget([]);
      await faq(t, pairs);
      await useFakeOpenAi(t, model);
      const calls = await fakeCalls(model);
      const res = await say(await startConversation(t), "What are your opening hours?");
      expect(await fakeCalls(model), model).toBe(calls + 1);
      const a = answerOf(res);
      // The extractive answer (both sentences), not the model's one-sentence draft.
      expect(a.text, model).toBe("We are open from 9 to 17 on weekdays. On Saturdays we open at 10.");
      expect(a.data.citations, model).not.toContain("00000000-0000-4000-8000-000000000000");
      for (const m of botMessages(res)) expect(m.text, model).not.toMatch(/evil\.test|discount/);
    }
  });

  it("a knowledge question is not captured by a weakly matching playbook; a playbook question still starts it", async () => {
    // quoteRoute knows "how much does it cost"; the catalogue knows the cargo bike.
    const t = await tenantWithWidget([quoteRoute]);
    await faq(t, [
      {
        question: "What does the cargo bike cost?",
        answer: "The Cargo bike costs $3,990, battery included.",
      },
    ]);
    const cargo = await say(await startConversation(t), "How much does the cargo bike cost?");
    expect(answerOf(cargo).text).toBe("The Cargo bike costs $3,990, battery included.");
    for (const m of botMessages(cargo)) expect(m.text).not.toContain("Which plan?");
    const tried = await call("/v1/routes/try", {
      body: { text: "How much does the cargo bike cost?" },
      headers: t.auth,
    });
    expect(tried.json).toMatchObject({ outcome: "knowledge", routeId: null });
    // The playbook still owns what it was written for, with or without the knowledge base.
    const plans = await say(await startConversation(t), "what are your prices");
    expect(texts(plans)).toContain("Which plan?");
    // With a model, a turn the playbook wins after consulting the knowledge base costs no drafted
    // answer: one call, the route's rephrased greeting.
    await useFakeOpenAi(t, "fake-ok");
    const before = await fakeCalls("fake-ok");
    const pallet = await say(await startConversation(t), "how much does it cost to ship a pallet");
    expect(texts(pallet)).toContain("Which plan?");
    expect(await fakeCalls("fake-ok")).toBe(before + 1);
  });

  it("one tenant's knowledge is never used to answer another's customers", async () => {
    const a = await tenantWithWidget([]);
    const b = await tenantWithWidget([]);
    await faq(a, [
      { question: "What is the quuxly refund window?", answer: "Thirty quuxly days from delivery." },
    ]);
    expect(answerOf(await say(await startConversation(a), "What is the quuxly refund window?")).text).toBe(
      "Thirty quuxly days from delivery.",
    );
    const other = await say(await startConversation(b), "What is the quuxly refund window?");
    expect(answerOf(other).text).toBe(KNOWLEDGE_FALLBACK);
    for (const m of botMessages(other)) expect(m.text).not.toContain("Thirty");
    await eventually(
      () => unanswered(b),
      (l) => l.questions.length === 1,
      "B's unanswered",
    );
    expect((await unanswered(a)).questions).toEqual([]);
  });

  it("with nothing indexed yet no question goes to the embedding model; once a FAQ is added it does, and answers", async () => {
    const t = await tenantWithWidget([]);
    const model = "fake-embed-first-days"; // its own name: the fake counts its requests apart
    const settings = await call("/v1/ai/settings", {
      method: "PUT",
      headers: t.auth,
      body: {
        provider: "openai",
        baseUrl: env.FAKE_OPENAI_URL,
        model: "fake-ok",
        apiKey: "sk-test",
        embeddingModel: model,
      },
    });
    expect(settings.status, JSON.stringify(settings.json)).toBe(200);

    const c = await startConversation(t);
    expect(answerOf(await say(c, "What is the zorbly return window?")).text).toBe(KNOWLEDGE_FALLBACK);
    await eventually(
      () => unanswered(t),
      (l) => l.questions.length === 1,
      "the question recorded unanswered",
    );
    expect(await fakeCalls(model, "embedded")).toBe(0);

    await faq(t, [{ question: "What is the zorbly return window?", answer: "Forty zorbly days." }]);
    // The FAQ's chunks are embedded by a step after the request: wait for it.
    const embeddedByFaq = await eventually(
      () => fakeCalls(model, "embedded"),
      (n) => n === 1,
      "the FAQ's chunks embedded",
    );
    expect(answerOf(await say(c, "What is the zorbly return window?")).text).toContain("Forty zorbly days");
    expect(await fakeCalls(model, "embedded")).toBe(embeddedByFaq + 1); // the question, for hybrid search
  });

  it("unanswered questions are grouped, counted and paginated", async () => {
    const t = await tenantWithWidget([]);
    for (const q of ["Do you ship to Mars?", "do you ship to mars", "Can I pay in gold?", "Is there a cafe?"])
      await say(await startConversation(t), q);
    await eventually(
      () => unanswered(t),
      (l) => l.questions.length === 3,
      "three questions",
    );
    const byCount = await unanswered(t, "?sort=count&limit=1");
    expect(byCount.questions).toEqual([
      expect.objectContaining({ question: "do you ship to mars", count: 2 }),
    ]);
    const page1 = await unanswered(t, "?limit=2");
    expect(page1.questions).toHaveLength(2);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = await unanswered(t, `?limit=2&cursor=${page1.nextCursor}`);
    expect(page2.questions).toHaveLength(1);
    expect(page2.nextCursor).toBeNull();
    const all = [...page1.questions, ...page2.questions].map((q) => q.question).sort();
    expect(all).toEqual(["Can I pay in gold?", "Is there a cafe?", "do you ship to mars"]);
    const bad = await call("/v1/knowledge/unanswered?cursor=nope", { headers: t.auth });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/cursor/);
  });
});
