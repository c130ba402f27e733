import { env } from "cloudflare:test";
import { withTenant } from "@autopilot/db";
import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { refreshDueSources } from "../src/knowledge/refresh.js";
import { retrieveChunks } from "../src/knowledge/search.js";
import { bearer, call, createKey, ownerDb, signup } from "./helpers.js";

// The crawler against the fixture site (test/knowledge-site.ts) through the real queue: sources API →
// knowledge-crawl queue → consumer → Postgres, then search.

const SITE = env.KNOWLEDGE_SITE_URL;

async function admin() {
  const s = await signup("Knowledge Co");
  const key = await createKey(s, "admin");
  return { tenantId: s.tenantId, headers: bearer(key.secret) };
}

/** Polls the source until its run is over (the queue delivers after max_batch_timeout). */
async function waitForCrawl(id: string, headers: Record<string, string>) {
  for (let i = 0; i < 120; i++) {
    const res = await call(`/v1/knowledge/sources/${id}`, { headers });
    if (res.status !== 200) throw new Error(`get source: ${res.status}`);
    if (res.json.status !== "crawling") return res.json;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("crawl did not finish in 30 s");
}

const reasonOf = (source: { progress: { problems: { url: string; reason: string }[] } }, path: string) =>
  source.progress.problems.find((p) => p.url === `${SITE}${path}`)?.reason;

describe("knowledge: sources API validation", () => {
  it("rejects bad input naming the field", async () => {
    const { headers } = await admin();
    const bad = await call("/v1/knowledge/sources", {
      headers,
      body: { kind: "website", startUrl: "ftp://x" },
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toMatch(/startUrl/);
    const caps = await call("/v1/knowledge/sources", {
      headers,
      body: { kind: "website", startUrl: `${SITE}/`, maxPages: 0 },
    });
    expect(caps.status).toBe(400);
    expect(caps.json.error.message).toMatch(/maxPages/);
    const pattern = await call("/v1/knowledge/sources", {
      headers,
      body: { kind: "website", startUrl: `${SITE}/`, exclude: ["no-slash"] },
    });
    expect(pattern.status).toBe(400);
    expect(pattern.json.error.message).toMatch(/exclude/);
    const faq = await call("/v1/knowledge/sources", { headers, body: { kind: "faq", name: "F", pairs: [] } });
    expect(faq.status).toBe(400);
    expect(faq.json.error.message).toMatch(/pairs/);
    const kind = await call("/v1/knowledge/sources", { headers, body: { kind: "telepathy" } });
    expect(kind.status).toBe(400);
    expect(kind.json.error.message).toMatch(/kind/);
    const missing = await call("/v1/knowledge/sources/00000000-0000-4000-8000-000000000000", { headers });
    expect(missing.status).toBe(404);
    const q = await call("/v1/knowledge/search?q=", { headers });
    expect(q.status).toBe(400);
    expect(q.json.error.message).toMatch(/q/);
  });

  it("a viewer cannot add sources", async () => {
    const s = await signup();
    const viewer = await createKey(s, "viewer", ["read"]);
    const res = await call("/v1/knowledge/sources", {
      headers: bearer(viewer.secret),
      body: { kind: "faq", name: "F", pairs: [{ question: "q", answer: "a" }] },
    });
    expect(res.status).toBe(403);
  });
});

describe("knowledge: crawling the fixture site", () => {
  it("crawls from the sitemap: robots, loops, 404, size, type and timeout are reported; search finds the right page", async () => {
    const { tenantId, headers } = await admin();
    const created = await call("/v1/knowledge/sources", {
      headers,
      body: { kind: "website", startUrl: `${SITE}/sitemap.xml`, maxPages: 50, maxDepth: 3 },
    });
    expect(created.status).toBe(201);
    expect(created.json.status).toBe("crawling");
    const source = await waitForCrawl(created.json.id, headers);
    expect(source.status).toBe("idle");
    expect(source.progress.queued).toBe(0);
    expect(reasonOf(source, "/private/secret")).toBe("robots");
    expect(reasonOf(source, "/loop-a")).toBe("redirect_loop");
    expect(reasonOf(source, "/missing")).toBe("http_404");
    expect(reasonOf(source, "/big")).toBe("too_large");
    expect(reasonOf(source, "/report.pdf")).toBe("content_type");
    expect(reasonOf(source, "/slow")).toBe("timeout");
    expect(reasonOf(source, "/offsite")).toBe("redirect_off_origin");
    // /about is not in the sitemap: found through a link (same origin only; mailto and off-site ignored).
    const db = ownerDb();
    try {
      const pages = await db.pool.query<{ url: string; status: string }>(
        "select url, status from knowledge_pages where source_id = $1 order by url",
        [source.id],
      );
      const fetched = pages.rows.filter((p) => p.status === "fetched").map((p) => p.url.slice(SITE.length));
      expect(fetched.sort()).toEqual(["/", "/about", "/docs/setup", "/pricing", "/sitemap.xml"]);
      expect(pages.rows.some((p) => p.url.includes("elsewhere.test"))).toBe(false);
      // Boilerplate and scripts are not indexed; invisible characters are stripped.
      const text = await db.pool.query<{ all: string }>(
        "select string_agg(heading_text || ' ' || text, ' ') as all from knowledge_chunks where source_id = $1",
        [source.id],
      );
      for (const word of [
        "navonlyword",
        "footeronlyword",
        "headeronlyword",
        "asideonlyword",
        "scriptonlyword",
        "secretword",
      ]) {
        expect(text.rows[0]?.all).not.toContain(word);
      }
      expect(text.rows[0]?.all).toContain("configure the flux capacitor");
      expect(text.rows[0]?.all).not.toMatch(/\u200B/);
      // The long page is split into several chunks, each with its heading path.
      const setup = await db.pool.query<{ heading_path: string[]; token_count: number }>(
        "select heading_path, token_count from knowledge_chunks where url = $1 order by position",
        [`${SITE}/docs/setup`],
      );
      expect(setup.rows.length).toBeGreaterThan(1);
      for (const r of setup.rows) {
        expect(r.heading_path).toEqual(["Setup guide", "Installation"]);
        expect(r.token_count).toBeLessThanOrEqual(400);
      }
    } finally {
      await db.end();
    }

    const search = await call(`/v1/knowledge/search?q=${encodeURIComponent("How much is the Pro plan?")}`, {
      headers,
    });
    expect(search.status).toBe(200);
    const top = search.json.chunks[0];
    expect(top.url).toBe(`${SITE}/pricing`);
    expect(top.headingPath).toEqual(["Pricing", "Plans", "Pro plan"]);
    expect(top.text).toContain("49 euros");
    expect(top.score).toBeGreaterThan(0);

    // The engine-facing function: a token budget bounds what comes back.
    const small = await retrieveAs(tenantId, "flux capacitor setting", { tokenBudget: 400 });
    expect(small.length).toBeGreaterThan(0);
    expect(small.reduce((n, c) => n + c.tokenCount, 0)).toBeLessThanOrEqual(400);
  });

  it("a crawl that reads no page is failed, with each page's reason (not idle with 0 pages)", async () => {
    const { headers } = await admin();
    const created = await call("/v1/knowledge/sources", {
      headers,
      body: { kind: "website", startUrl: `${SITE}/missing`, maxPages: 5, maxDepth: 1 },
    });
    expect(created.status).toBe(201);
    const source = await waitForCrawl(created.json.id, headers);
    expect(source).toMatchObject({ status: "failed", lastError: "nothing_fetched", pageCount: 0 });
    expect(source.progress.failed).toBe(1);
    expect(reasonOf(source, "/missing")).toBe("http_404");
    // The list says so too.
    const list = await call("/v1/knowledge/sources", { headers });
    expect(list.json.sources.find((x: { id: string }) => x.id === source.id)?.status).toBe("failed");
  });

  it("refresh: unchanged pages answer 304 and keep their chunks, a page that disappeared loses them", async () => {
    const { headers } = await admin();
    const created = await call("/v1/knowledge/sources", {
      headers,
      body: { kind: "website", startUrl: `${SITE}/`, maxPages: 10, maxDepth: 2, exclude: ["/slow", "/big"] },
    });
    expect(created.status).toBe(201);
    const first = await waitForCrawl(created.json.id, headers);
    expect(first.progress.fetched).toBeGreaterThanOrEqual(4);
    const before = await call(`/v1/knowledge/search?q=zorblaxes`, { headers });
    expect(before.json.chunks.length).toBeGreaterThan(0);

    await fetch(`${SITE}/__remove?path=/pricing`, { method: "POST" });
    try {
      const refreshed = await call(`/v1/knowledge/sources/${created.json.id}/refresh`, {
        method: "POST",
        headers,
      });
      expect(refreshed.status).toBe(202);
      const second = await waitForCrawl(created.json.id, headers);
      expect(second.progress.runId).toBe(first.progress.runId + 1);
      expect(reasonOf(second, "/pricing")).toBe("http_404");
      const after = await call(`/v1/knowledge/search?q=zorblaxes`, { headers });
      expect(after.json.chunks).toEqual([]);
      const db = ownerDb();
      try {
        const about = await db.pool.query<{ status: string; reason: string | null }>(
          "select status, reason from knowledge_pages where source_id = $1 and url = $2",
          [created.json.id, `${SITE}/about`],
        );
        expect(about.rows[0]).toEqual({ status: "fetched", reason: "not_modified" });
      } finally {
        await db.end();
      }
      const still = await call(`/v1/knowledge/search?q=Lisbon`, { headers });
      expect(still.json.chunks[0]?.url).toBe(`${SITE}/about`);
    } finally {
      await fetch(`${SITE}/__reset`, { method: "POST" });
    }
  });
});

describe("knowledge: tenancy", () => {
  it("one tenant's chunks are never returned for another", async () => {
    const a = await admin();
    const b = await admin();
    const faq = await call("/v1/knowledge/sources", {
      headers: a.headers,
      body: {
        kind: "faq",
        name: "A FAQ",
        pairs: [{ question: "What is the quuxly refund window?", answer: "Thirty days." }],
      },
    });
    expect(faq.status).toBe(201);
    expect(faq.json.chunkCount).toBe(1);
    const mine = await call("/v1/knowledge/search?q=quuxly", { headers: a.headers });
    expect(mine.json.chunks).toHaveLength(1);
    expect(mine.json.chunks[0].headingPath).toEqual(["What is the quuxly refund window?"]);
    const theirs = await call("/v1/knowledge/search?q=quuxly", { headers: b.headers });
    expect(theirs.json.chunks).toEqual([]);
    expect(await retrieveAs(b.tenantId, "quuxly refund")).toEqual([]);
    // B cannot see, refresh or delete A's source.
    for (const [method, path] of [
      ["GET", `/v1/knowledge/sources/${faq.json.id}`],
      ["DELETE", `/v1/knowledge/sources/${faq.json.id}`],
      ["POST", `/v1/knowledge/sources/${faq.json.id}/refresh`],
    ] as const) {
      expect((await call(path, { method, headers: b.headers })).status).toBe(404);
    }
    const list = await call("/v1/knowledge/sources", { headers: b.headers });
    expect(list.json.sources).toEqual([]);
    // Even a query without a tenant filter sees only the current tenant (forced RLS).
    const db = ownerDb();
    try {
      const seen = await withTenant(db, b.tenantId, (tx) =>
        tx.execute(sql`select count(*)::int as n from knowledge_chunks`),
      );
      expect(seen.rows[0]).toEqual({ n: 0 });
    } finally {
      await db.end();
    }
    // FAQ sources cannot be "refreshed"; deleting removes their chunks.
    expect(
      (await call(`/v1/knowledge/sources/${faq.json.id}/refresh`, { method: "POST", headers: a.headers }))
        .status,
    ).toBe(409);
    expect(
      (await call(`/v1/knowledge/sources/${faq.json.id}`, { method: "DELETE", headers: a.headers })).status,
    ).toBe(200);
    expect((await call("/v1/knowledge/search?q=quuxly", { headers: a.headers })).json.chunks).toEqual([]);
  });
});

/** retrieveChunks through a handle of its own (it runs withTenant itself), closed afterwards. */
async function retrieveAs(
  ...args: Parameters<typeof retrieveChunks> extends [unknown, ...infer R] ? R : never
) {
  const db = ownerDb();
  try {
    return await retrieveChunks(db, ...args);
  } finally {
    await db.end();
  }
}

describe("knowledge: scheduled refresh", () => {
  it("starts a run for a due website source only, in its own tenant", async () => {
    const { headers } = await admin();
    const created = await call("/v1/knowledge/sources", {
      headers,
      body: {
        kind: "website",
        startUrl: `${SITE}/about`,
        maxPages: 1,
        maxDepth: 0,
        refreshIntervalHours: 24,
      },
    });
    expect(created.status).toBe(201);
    const first = await waitForCrawl(created.json.id, headers);
    expect(first.nextRefreshAt).not.toBeNull();
    expect(Date.parse(first.nextRefreshAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
    const db = ownerDb();
    try {
      const sent: { sourceId: string; runId: number }[] = [];
      const enqueue = async (m: { sourceId: string; runId: number }) => {
        sent.push(m);
      };
      // Not due yet: nothing starts.
      await refreshDueSources(db, enqueue, silentLog);
      expect(sent.filter((m) => m.sourceId === created.json.id)).toEqual([]);
      await db.pool.query(
        "update knowledge_sources set next_refresh_at = now() - interval '1 minute' where id = $1",
        [created.json.id],
      );
      await refreshDueSources(db, enqueue, silentLog);
      expect(sent.filter((m) => m.sourceId === created.json.id)).toEqual([
        expect.objectContaining({ sourceId: created.json.id, runId: first.progress.runId + 1 }),
      ]);
      // Now crawling, so no longer due: a second cron tick does not start it twice.
      await refreshDueSources(db, enqueue, silentLog);
      expect(sent.filter((m) => m.sourceId === created.json.id)).toHaveLength(1);
    } finally {
      await db.end();
    }
  });
});

const silentLog = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Parameters<
  typeof refreshDueSources
>[2];
