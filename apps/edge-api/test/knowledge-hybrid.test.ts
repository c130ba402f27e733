import { env, SELF } from "cloudflare:test";
import { withTenant } from "@autopilot/db";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { openAiEmbedder } from "../src/ai/embeddings.js";
import { embedSourceChunks } from "../src/knowledge/embed.js";
import { reciprocalRankFusion } from "../src/knowledge/search.js";
import { createLogger } from "../src/lib/log.js";
import { bearer, call, createKey, freshIp, ownerDb, signup } from "./helpers.js";

// Hybrid retrieval: with an embedding model in the tenant's AI settings, the document job stores
// chunk embeddings (fake /v1/embeddings in test/fake-openai.ts: synonyms share a concept, so
// "reimbursed" is close to "refund … money") and search merges lexical and vector rankings by
// reciprocal-rank fusion. Without one, or when the provider fails, retrieval is lexical.

describe("reciprocalRankFusion", () => {
  it("sums 1/(60 + rank) over the rankings; ties in the order the ids first appear", () => {
    const fused = reciprocalRankFusion([
      ["a", "b", "c"],
      ["c", "d", "a"],
    ]);
    expect(fused.map((f) => f.id)).toEqual(["a", "c", "b", "d"]);
    expect(fused[0]?.score).toBeCloseTo(1 / 61 + 1 / 63, 12);
    expect(fused[1]?.score).toBeCloseTo(1 / 63 + 1 / 61, 12);
    expect(fused[2]?.score).toBeCloseTo(1 / 62, 12);
    expect(reciprocalRankFusion([["x"], []])).toEqual([{ id: "x", score: 1 / 61 }]);
    expect(reciprocalRankFusion([["y", "x"]], 0).map((f) => f.score)).toEqual([1, 1 / 2]);
    // Ties are not decided by the ids themselves.
    expect(reciprocalRankFusion([["z"], ["b"]]).map((f) => f.id)).toEqual(["z", "b"]);
  });
});

async function tenant(name: string, embeddingModel: string | null) {
  const s = await signup(name);
  const key = await createKey(s, "admin");
  const headers = bearer(key.secret);
  if (embeddingModel) {
    const res = await call("/v1/ai/settings", {
      method: "PUT",
      headers,
      body: {
        provider: "openai",
        baseUrl: env.FAKE_OPENAI_URL,
        model: "fake-ok",
        apiKey: "sk-test",
        embeddingModel,
      },
    });
    expect(res.status).toBe(200);
    expect(res.json.embeddingModel).toBe(embeddingModel);
  }
  return { tenantId: s.tenantId, headers };
}

async function upload(headers: Record<string, string>, text: string) {
  const res = await SELF.fetch("https://api.test/v1/knowledge/documents?fileName=policy.md", {
    method: "POST",
    headers: { "cf-connecting-ip": freshIp(), "content-type": "text/markdown", ...headers },
    body: text,
  });
  expect(res.status).toBe(202);
  const { id } = (await res.json()) as { id: string };
  for (let i = 0; i < 120; i++) {
    const s = await call(`/v1/knowledge/sources/${id}`, { headers });
    if (s.json.status !== "crawling") {
      expect(s.json.status).toBe("idle");
      return id;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("document job did not finish in 30 s");
}

const search = async (q: string, headers: Record<string, string>) =>
  (await call(`/v1/knowledge/search?q=${encodeURIComponent(q)}&limit=5`, { headers })).json.chunks as {
    text: string;
    score: number;
  }[];

/** Chunks of a tenant with and without an embedding (the embedding step runs after the job's ack). */
async function embeddingCounts(tenantId: string) {
  const db = ownerDb();
  try {
    const r = await withTenant(db, tenantId, (tx) =>
      tx.execute<{ with: number; without: number }>(sql`
      select count(*) filter (where embedding is not null)::int as with,
             count(*) filter (where embedding is null)::int as without
      from knowledge_chunks where tenant_id = ${tenantId}`),
    );
    return r.rows[0] as { with: number; without: number };
  } finally {
    await db.end();
  }
}

async function waitForEmbeddings(tenantId: string, n: number) {
  for (let i = 0; i < 60; i++) {
    if ((await embeddingCounts(tenantId)).with >= n) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("chunks were not embedded in 15 s");
}

const POLICY =
  "## Refund policy\n\nWe return your money within 30 days.\n\n## Opening hours\n\nThe shop opens at nine and closes at six.\n";
const QUESTION = "Can I get reimbursed?"; // no word in common with the refund section

describe("knowledge: hybrid retrieval", () => {
  it("finds a chunk by meaning only with embeddings on; other tenants' chunks never; provider failure → lexical", async () => {
    const on = await tenant("Hybrid On", "fake-embed");
    const off = await tenant("Hybrid Off", null);
    const failing = await tenant("Hybrid Failing", "fake-embed-500");
    await upload(on.headers, POLICY);
    await upload(off.headers, POLICY.replace("30 days", "14 days"));
    await upload(failing.headers, POLICY);

    await waitForEmbeddings(on.tenantId, 2);
    expect(await embeddingCounts(on.tenantId)).toEqual({ with: 2, without: 0 });
    expect(await embeddingCounts(off.tenantId)).toEqual({ with: 0, without: 2 });

    // Embeddings on: the refund section, first, by meaning; only this tenant's copy (30 days).
    const hybrid = await search(QUESTION, on.headers);
    expect(hybrid[0]?.text).toMatch(/money within 30 days/);
    expect(hybrid.some((c) => /14 days/.test(c.text))).toBe(false);
    // The unrelated section is below the similarity floor: not retrieved.
    expect(hybrid.some((c) => /opens at nine/.test(c.text))).toBe(false);
    // A lexical hit still ranks (fused with the vector ranking).
    expect((await search("opening hours", on.headers))[0]?.text).toMatch(/opens at nine/);

    // Embeddings off: the same question finds nothing (lexical only), as before.
    expect(await search(QUESTION, off.headers)).toEqual([]);
    expect((await search("refund policy", off.headers))[0]?.text).toMatch(/14 days/);

    // The provider fails: the chunks are stored without embeddings, retrieval is lexical.
    expect(await embeddingCounts(failing.tenantId)).toEqual({ with: 0, without: 2 });
    expect(await search(QUESTION, failing.headers)).toEqual([]);
    expect((await search("refund policy", failing.headers))[0]?.text).toMatch(/30 days/);
  });

  it("FAQ pairs and catalogues, indexed in their request, get embeddings too; not without a model", async () => {
    const on = await tenant("Hybrid FAQ", "fake-embed");
    const off = await tenant("Hybrid FAQ Off", null);
    const pairs = [
      { question: "What is your refund policy?", answer: "We return your money within 30 days." },
      { question: "When are you open?", answer: "The shop opens at nine and closes at six." },
    ];
    for (const t of [on, off]) {
      const faq = await call("/v1/knowledge/sources", {
        headers: t.headers,
        body: { kind: "faq", name: "FAQ", pairs },
      });
      expect(faq.status).toBe(201);
      const catalogue = await SELF.fetch("https://api.test/v1/knowledge/catalogues?name=Shop", {
        method: "POST",
        headers: { "cf-connecting-ip": freshIp(), "content-type": "text/csv", ...t.headers },
        body: "Name,Price,Currency,Delivery\nParcel box,5,EUR,courier next day\n",
      });
      expect(catalogue.status).toBe(201);
    }
    await waitForEmbeddings(on.tenantId, 3);
    expect(await embeddingCounts(on.tenantId)).toEqual({ with: 3, without: 0 });
    // A question sharing no word with the FAQ answer finds it by meaning.
    expect((await search(QUESTION, on.headers))[0]?.text).toMatch(/money within 30 days/);
    expect(
      (await search("When will my order be shipped?", on.headers)).some((c) => /Parcel box/.test(c.text)),
    ).toBe(true);
    // The tenant without a model: its embedding steps ran and did nothing.
    expect(await embeddingCounts(off.tenantId)).toEqual({ with: 0, without: 3 });
    expect(await search(QUESTION, off.headers)).toEqual([]);
  });

  it("a failed embedding call leaves the chunks lexical-only; the source's next embedding step fills them in", async () => {
    const t = await tenant("Hybrid Later", null);
    const sourceId = await upload(t.headers, POLICY);
    const log = createLogger({ test: "knowledge-hybrid" });
    const embedder = (model: string) =>
      openAiEmbedder({ apiKey: "sk-test", baseUrl: env.FAKE_OPENAI_URL, model, timeoutMs: 5000 });
    const db = ownerDb();
    try {
      expect(await embedSourceChunks(db, t.tenantId, sourceId, embedder("fake-embed-500"), log)).toEqual({
        embedded: 0,
        failed: true,
      });
      expect(await embeddingCounts(t.tenantId)).toEqual({ with: 0, without: 2 });
      expect(await embedSourceChunks(db, t.tenantId, sourceId, embedder("fake-embed"), log)).toEqual({
        embedded: 2,
        failed: false,
      });
      // Nothing left to do: only chunks without an embedding are sent.
      expect(await embedSourceChunks(db, t.tenantId, sourceId, embedder("fake-embed"), log)).toEqual({
        embedded: 0,
        failed: false,
      });
    } finally {
      await db.end();
    }
    expect(await embeddingCounts(t.tenantId)).toEqual({ with: 2, without: 0 });
  });
});
