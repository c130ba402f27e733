// Issue 5's benchmark, on the PostgreSQL server named by DATABASE_URL (a fresh database per run):
// 1. index KNOWLEDGE_CHUNKS (100,000) chunks of one tenant through the code a document source runs
//    (parseMarkdown → chunkSections → replaceSourceChunks in a withTenant transaction, through the
//    neon driver and the WebSocket bridge), KNOWLEDGE_IN_FLIGHT documents at a time: chunks/s.
// 2. retrieveChunks (the API's and the answer path's retrieval) over them: median and p99 of
//    KNOWLEDGE_QUERIES questions after warm-ups. Target: median ≤ 20 ms.
// The corpus is synthetic and generated at run time (seeded, so every run indexes the same text):
// Markdown documents with headings, whose words follow a Zipf law over a 30,000-word vocabulary, so
// a few words are in most chunks and most words in few, as in real text. Questions take two to four
// words of one chunk (its heading and body) inside an English question frame.
import { knowledgeSources, type openDatabase, withTenant } from "@autopilot/db";
import { seededRandom } from "@autopilot/engine";
import { chunkSections } from "../../apps/edge-api/src/knowledge/chunk.js";
import { parseMarkdown } from "../../apps/edge-api/src/knowledge/markdown.js";
import { retrieveChunks } from "../../apps/edge-api/src/knowledge/search.js";
import { replaceSourceChunks } from "../../apps/edge-api/src/knowledge/store.js";
import type { Bench } from "./registry.js";
import { serverDatabase } from "./server-database.js";
import { percentile, round } from "./stats.js";

const CHUNKS = Number(process.env.KNOWLEDGE_CHUNKS ?? 100_000);
const IN_FLIGHT = Number(process.env.KNOWLEDGE_IN_FLIGHT ?? 4);
const QUERIES = Number(process.env.KNOWLEDGE_QUERIES ?? 300);
const TARGET_MEDIAN_MS = 20;

const SYLLABLES = "ka lo mi ne ru sa to vi be da fe go hu ji ko la ma no pe ri su ta vo we xi yo ze".split(
  " ",
);
const FILLER = "the a of and to in is for on with that this by it at as be are from or can your".split(" ");

export function makeCorpus(seed: number) {
  const random = seededRandom(seed);
  const vocabulary: string[] = [];
  const seen = new Set<string>();
  while (vocabulary.length < 30_000) {
    const n = 2 + Math.floor(random() * 3);
    let w = "";
    for (let i = 0; i < n; i++) w += SYLLABLES[Math.floor(random() * SYLLABLES.length)];
    if (!seen.has(w)) {
      seen.add(w);
      vocabulary.push(w);
    }
  }
  // Zipf (s = 1.05) by inverse CDF over precomputed cumulative weights.
  const cumulative: number[] = [];
  let total = 0;
  for (let r = 1; r <= vocabulary.length; r++) {
    total += 1 / r ** 1.05;
    cumulative.push(total);
  }
  const word = () => {
    const x = random() * total;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 0) < x) lo = mid + 1;
      else hi = mid;
    }
    return random() < 0.35
      ? (FILLER[Math.floor(random() * FILLER.length)] as string)
      : (vocabulary[lo] as string);
  };
  const words = (n: number) => Array.from({ length: n }, word).join(" ");
  const sentence = () => {
    const s = words(8 + Math.floor(random() * 14));
    return `${s[0]?.toUpperCase()}${s.slice(1)}.`;
  };
  const paragraph = () => Array.from({ length: 2 + Math.floor(random() * 5) }, sentence).join(" ");
  /** A Markdown document of 4–9 sections with one to three paragraphs each (≈ 5–15 chunks). */
  const document = (i: number) => {
    const parts = [`# ${words(3)} guide ${i}`, "", paragraph(), ""];
    const sections = 4 + Math.floor(random() * 6);
    for (let s = 0; s < sections; s++) {
      parts.push(`## ${words(2 + Math.floor(random() * 3))}`, "");
      for (let p = 0; p < 1 + Math.floor(random() * 3); p++) parts.push(paragraph(), "");
      if (random() < 0.3) parts.push(`### ${words(2)}`, "", paragraph(), "");
    }
    return parts.join("\n");
  };
  const FRAMES = [
    "How do I {} ?",
    "What is {}",
    "Can I {} with {}?",
    "Where can I find {}",
    "{} {} price",
    "Does {} support {}?",
  ];
  /** A question made from a few of `text`'s own words, so it has a known answer. */
  const question = (heading: string, text: string) => {
    const pick = (s: string, n: number) => {
      const ws = s.toLowerCase().match(/[a-z]{5,}/g) ?? [];
      return Array.from({ length: n }, () => ws[Math.floor(random() * ws.length)] ?? "");
    };
    const terms = [...pick(heading, 1), ...pick(text, 1 + Math.floor(random() * 3))];
    let frame = FRAMES[Math.floor(random() * FRAMES.length)] as string;
    for (const t of terms) frame = frame.includes("{}") ? frame.replace("{}", t) : `${frame} ${t}`;
    return frame.replaceAll("{}", "");
  };
  return { document, question, random };
}

export const knowledge: Bench = {
  name: "knowledge",
  description: "index 100,000 knowledge chunks (chunks/s); retrieval over them (median and p99 ms)",
  async run(): Promise<Record<string, number>> {
    // KNOWLEDGE_REUSE_DB=<name> measures retrieval again on a database kept by KNOWLEDGE_KEEP_DB=1
    // (tuning queries without indexing 100,000 chunks each time).
    const reuse = process.env.KNOWLEDGE_REUSE_DB;
    const database = await serverDatabase("knowledge", reuse);
    if (!database) return { skipped: 1 };
    const { admin, open } = database;
    try {
      const tenantRow = (tenantName: string) =>
        admin.query<{ id: string }>(
          reuse
            ? "select id from tenants where name = $1"
            : "insert into tenants (name) values ($1) returning id",
          [tenantName],
        );
      const tenantId = (await tenantRow("Bench"))[0]?.id as string;
      // A second tenant with its own chunks, so the tenant filter has something to filter.
      const otherId = (await tenantRow("Other"))[0]?.id as string;
      const corpus = makeCorpus(5);

      // 1. Indexing, through the document code path.
      let indexed = 0;
      let documents = 0;
      const t0 = performance.now();
      const indexOne = async (db: ReturnType<typeof openDatabase>, forTenant: string) => {
        const i = documents++;
        const parsed = parseMarkdown(corpus.document(i), `doc ${i}`);
        const chunks = chunkSections(parsed.sections);
        const n = await withTenant(db, forTenant, async (tx) => {
          const [source] = await tx
            .insert(knowledgeSources)
            .values({ tenantId: forTenant, kind: "document", name: parsed.title, config: {} })
            .returning();
          if (!source) throw new Error("no source row");
          return replaceSourceChunks(tx, source, chunks, `https://docs.bench.test/${i}`);
        });
        if (forTenant === tenantId) indexed += n;
      };
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          const db = open();
          try {
            while (!reuse && indexed < CHUNKS) await indexOne(db, tenantId);
          } finally {
            await db.end();
          }
        }),
      );
      const indexSeconds = (performance.now() - t0) / 1000;
      const chunksPerS = indexed / indexSeconds;
      if (!reuse)
        console.log(
          `  indexed ${indexed} chunks (${documents} documents) in ${indexSeconds.toFixed(1)} s: ${chunksPerS.toFixed(0)} chunks/s, ${IN_FLIGHT} in flight`,
        );
      const db = open();
      if (reuse) {
        const [row] = await admin.query<{ n: number }>(
          "select count(*)::int as n from knowledge_chunks where tenant_id = $1",
          [tenantId],
        );
        indexed = row?.n ?? 0;
      } else {
        for (let i = 0; i < 200; i++) await indexOne(db, otherId);
        await admin.query("analyze knowledge_chunks");
      }
      const [size] = await admin.query<{ table: string; gin: string }>(
        "select pg_size_pretty(pg_total_relation_size('knowledge_chunks')) as table, pg_size_pretty(pg_relation_size('knowledge_chunks_tsv_idx')) as gin",
      );
      console.log(`  knowledge_chunks ${size?.table} in all, GIN index ${size?.gin}`);

      // 2. Retrieval: questions made from chunks picked at random (the same ones on every run).
      const samples = await admin.query<{ heading: string; text: string }>(
        "select heading_text as heading, text from knowledge_chunks where tenant_id = $1 order by content_hash limit $2",
        [tenantId, QUERIES],
      );
      const questions = samples.map((s) => corpus.question(s.heading, s.text));
      const times: number[] = [];
      let empty = 0;
      let hits = 0;
      try {
        for (let i = 0; i < questions.length + 10; i++) {
          const q = questions[i % questions.length] as string;
          const s = performance.now();
          const found = await retrieveChunks(db, tenantId, q, { limit: 5, tokenBudget: 1500 });
          if (i >= 10) times.push(performance.now() - s);
          if (found.length === 0) empty++;
          // A sanity check that speed was not bought with recall: is the question's own chunk found?
          if (i < questions.length && found.some((f) => f.text === samples[i]?.text)) hits++;
        }
      } finally {
        await db.end();
      }
      times.sort((a, b) => a - b);
      const median = percentile(times, 50);
      const p99 = percentile(times, 99);
      console.log(
        `  retrieval over ${indexed} chunks: median ${median.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms (${times.length} questions, ${empty} with no chunk, own chunk in the top 5 for ${hits}; target median ≤ ${TARGET_MEDIAN_MS} ms)`,
      );
      return {
        index_chunks: indexed,
        index_chunks_per_s: round(chunksPerS, 1),
        index_in_flight: IN_FLIGHT,
        retrieve_median_ms: round(median, 2),
        retrieve_p99_ms: round(p99, 2),
        retrieve_questions: times.length,
        retrieve_own_chunk_hit_at_5: round(hits / questions.length, 3),
        retrieve_target_median_ms: TARGET_MEDIAN_MS,
      };
    } finally {
      // KNOWLEDGE_KEEP_DB=1 keeps the database for EXPLAIN-ing queries by hand (drop it after).
      await database.close(process.env.KNOWLEDGE_KEEP_DB === "1");
    }
  },
};
