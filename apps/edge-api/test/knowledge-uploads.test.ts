import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { productChunk } from "../src/knowledge/catalogue.js";
import { documentFormat } from "../src/knowledge/documents.js";
import { parseMarkdown } from "../src/knowledge/markdown.js";
import { bearer, call, createKey, freshIp, signup } from "./helpers.js";

// Document and catalogue sources through the real path: upload → knowledge_uploads → the
// knowledge-crawl queue → document job (unpdf, HTMLRewriter, Markdown) → chunks → search.
// Fixture files are made here; the PDF is written by hand (objects, stream, xref offsets).

async function admin(name = "Uploads Co") {
  const s = await signup(name);
  const key = await createKey(s, "admin");
  return { tenantId: s.tenantId, headers: bearer(key.secret) };
}

async function send(
  path: string,
  headers: Record<string, string>,
  body: BodyInit,
  opts: { method?: string; contentType?: string } = {},
) {
  const h: Record<string, string> = { "cf-connecting-ip": freshIp(), ...headers };
  if (opts.contentType) h["content-type"] = opts.contentType;
  const res = await SELF.fetch(`https://api.test${path}`, {
    method: opts.method ?? "POST",
    headers: h,
    body,
  });
  const text = await res.text();
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary response shapes.
  let json: any = text;
  try {
    json = JSON.parse(text);
  } catch {}
  return { status: res.status, json };
}

const form = (file: Blob, name: string, fields: Record<string, string> = {}) => {
  const f = new FormData();
  f.set("file", file, name);
  for (const [k, v] of Object.entries(fields)) f.set(k, v);
  return f;
};

async function waitForSource(id: string, headers: Record<string, string>) {
  for (let i = 0; i < 120; i++) {
    const res = await call(`/v1/knowledge/sources/${id}`, { headers });
    if (res.status !== 200) throw new Error(`get source: ${res.status}`);
    if (res.json.status !== "crawling") return res.json;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error("document job did not finish in 30 s");
}

const search = async (q: string, headers: Record<string, string>) =>
  (await call(`/v1/knowledge/search?q=${encodeURIComponent(q)}&limit=5`, { headers })).json.chunks as {
    sourceId: string;
    url: string | null;
    headingPath: string[];
    text: string;
  }[];

/** A valid PDF with one text line per page (Helvetica), offsets computed so pdf.js reads the xref. */
function tinyPdf(pages: string[]): Uint8Array {
  const objects: string[] = [];
  const pageIds = pages.map((_, i) => 4 + i * 2);
  objects[1] = "<< /Type /Catalog /Pages 2 0 R >>";
  objects[2] = `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(" ")}] /Count ${pages.length} >>`;
  objects[3] = "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>";
  pages.forEach((line, i) => {
    const content = `BT /F1 18 Tf 72 700 Td (${line}) Tj ET`;
    objects[4 + i * 2] =
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${5 + i * 2} 0 R /Resources << /Font << /F1 3 0 R >> >> >>`;
    objects[5 + i * 2] = `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
  });
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  for (let id = 1; id < objects.length; id++) {
    offsets[id] = out.length;
    out += `${id} 0 obj\n${objects[id]}\nendobj\n`;
  }
  const xref = out.length;
  out += `xref\n0 ${objects.length}\n0000000000 65535 f \n`;
  for (let id = 1; id < objects.length; id++) out += `${String(offsets[id]).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(out);
}

describe("knowledge documents", () => {
  it("units: Markdown headings become the path; formats by type or extension", () => {
    const doc = parseMarkdown(
      "---\ntitle: Guide\n---\nIntro **text** with a [link](https://x.test).\n\n# Setup\n\n## Install\n\nRun `npm i`.\n\n```\n# not a heading\n```\n\nSetext\n------\n\nBody\n",
    );
    expect(doc.title).toBe("Guide");
    expect(doc.sections).toEqual([
      { headingPath: ["Guide"], text: "Intro text with a link." },
      { headingPath: ["Setup", "Install"], text: "Run npm i.\n\n# not a heading" },
      { headingPath: ["Setup", "Setext"], text: "Body" },
    ]);
    expect(documentFormat("text/plain", "notes.md")).toBe("markdown");
    expect(documentFormat("application/octet-stream", "a.PDF")).toBe("pdf");
    expect(documentFormat("text/html; charset=utf-8", "x")).toBe("html");
    expect(documentFormat("image/png", "a.png")).toBeNull();
    expect(
      productChunk("Desks", { name: "Lift", price: "$649", attributes: [["Colour", "black"]] }).text,
    ).toBe("Lift — $649 — Colour: black");
  });

  it("Markdown (multipart), HTML and plain text (raw bodies), PDF: processed by the queue job with headings kept", async () => {
    const { headers } = await admin();
    const md = await send(
      "/v1/knowledge/documents",
      headers,
      form(
        new Blob(["# Returns\n\n## Refund timing\n\nRefunds reach your card within five business days.\n"], {
          type: "text/markdown",
        }),
        "returns.md",
        { url: "https://shop.test/returns" },
      ),
    );
    expect(md.status).toBe(202);
    expect(md.json).toMatchObject({ kind: "document", name: "returns.md", status: "crawling" });
    const html = await send(
      "/v1/knowledge/documents?name=Warranty",
      headers,
      "<html><head><title>Warranty</title></head><body><nav>Home | Shop</nav><h1>Warranty</h1><h2>Frames</h2><p>Frames are covered for ten years.</p><footer>© Shop</footer></body></html>",
      { contentType: "text/html" },
    );
    expect(html.status).toBe(202);
    const txt = await send(
      "/v1/knowledge/documents?fileName=hours.txt",
      headers,
      "Our showroom opens at nine.\n\nIt closes at six.",
      { contentType: "text/plain" },
    );
    expect(txt.status).toBe(202);
    const pdf = await send(
      "/v1/knowledge/documents?name=Manual",
      headers,
      tinyPdf(["Reset the desk by holding the down button", "Error E07 means the motor is overheating"]),
      { contentType: "application/pdf" },
    );
    expect(pdf.status).toBe(202);

    for (const { json } of [md, html, txt, pdf]) {
      const done = await waitForSource(json.id, headers);
      expect(done).toMatchObject({ status: "idle", lastError: null });
      expect(done.chunkCount).toBeGreaterThan(0);
    }
    const refund = await search("how long do refunds take", headers);
    expect(refund[0]).toMatchObject({
      sourceId: md.json.id,
      url: "https://shop.test/returns",
      headingPath: ["Returns", "Refund timing"],
    });
    const frames = await search("frames covered years", headers);
    expect(frames[0]).toMatchObject({ sourceId: html.json.id, headingPath: ["Warranty", "Frames"] });
    expect(frames[0]?.text).not.toMatch(/Home \| Shop|©/);
    expect((await search("showroom closes", headers))[0]?.headingPath).toEqual(["hours.txt"]);
    const e07 = await search("what does E07 mean", headers);
    expect(e07[0]).toMatchObject({ sourceId: pdf.json.id, headingPath: ["Manual", "Page 2"] });
    expect(e07[0]?.text).toContain("overheating");

    // Replacing the file: the old text is gone once the new one is in; the staged upload is deleted.
    const put = await send(
      `/v1/knowledge/documents/${md.json.id}`,
      headers,
      "# Returns\n\n## Restocking\n\nA restocking fee of fifteen percent applies after sixty days.",
      { method: "PUT", contentType: "text/markdown" },
    );
    expect(put.status).toBe(202);
    await waitForSource(md.json.id, headers);
    expect((await search("restocking fee", headers))[0]?.sourceId).toBe(md.json.id);
    expect(
      (await search("refunds business days", headers)).some((c) => c.text.includes("five business days")),
    ).toBe(false);
  });

  it("bad uploads: 4xx naming the field, unreadable PDF fails the source with a reason, other tenants see nothing", async () => {
    const { headers } = await admin();
    const noFile = new FormData();
    noFile.set("name", "x");
    const missing = await send("/v1/knowledge/documents", headers, noFile);
    expect(missing.status).toBe(400);
    expect(missing.json.error.message).toMatch(/^file:/);
    const type = await send("/v1/knowledge/documents", headers, new Uint8Array([137, 80, 78, 71]), {
      contentType: "image/png",
    });
    expect(type.status).toBe(415);
    expect(type.json.error.message).toMatch(/^file:/);
    const big = await send("/v1/knowledge/documents", headers, "a".repeat(200_001), {
      contentType: "text/plain",
    });
    expect(big.status).toBe(413);
    expect(big.json.error.message).toMatch(/^file:/);
    const empty = await send("/v1/knowledge/documents", headers, form(new Blob([]), "e.md"));
    expect(empty.status).toBe(400);
    expect(empty.json.error.message).toMatch(/^file:/);
    const url = await send("/v1/knowledge/documents?url=javascript:alert(1)", headers, "hi", {
      contentType: "text/plain",
    });
    expect(url.status).toBe(400);
    expect(url.json.error.message).toMatch(/^url:/);
    const listed = await call("/v1/knowledge/sources", { headers });
    expect(listed.json.sources).toEqual([]);

    const broken = await send(
      "/v1/knowledge/documents",
      headers,
      form(new Blob(["%PDF-1.4 garbage"]), "x.pdf"),
    );
    expect(broken.status).toBe(202);
    const failed = await waitForSource(broken.json.id, headers);
    expect(failed.status).toBe("failed");
    expect(failed.lastError).toMatch(/^(unreadable|no_text)/);

    const other = await admin("Other Co");
    const put = await send(`/v1/knowledge/documents/${broken.json.id}`, other.headers, "x", {
      method: "PUT",
      contentType: "text/plain",
    });
    expect(put.status).toBe(404);
    const viewer = await createKey(await signup(), "viewer", ["read"]);
    const forbidden = await send("/v1/knowledge/documents", bearer(viewer.secret), "x", {
      contentType: "text/plain",
    });
    expect(forbidden.status).toBe(403);
  });
});

describe("knowledge catalogues", () => {
  it("CSV: one chunk per product with its attributes, bad rows reported; re-upload replaces; JSON too", async () => {
    const { headers } = await admin();
    const csv = [
      "Name,Price,Currency,Colour,Max load",
      "LiftDesk Pro,649,USD,black,160 kg",
      ",99,USD,white,10 kg",
      "FlexSeat,free!,USD,grey,135 kg",
      "Cable tray,39,USD,black",
      '"Monitor arm, dual",139,USD,silver,9 kg per arm',
    ].join("\n");
    const created = await send("/v1/knowledge/catalogues?name=Products", headers, csv, {
      contentType: "text/csv",
    });
    expect(created.status).toBe(201);
    expect(created.json.report).toMatchObject({ rows: 5, indexed: 2, failed: 3 });
    expect(created.json.report.errors).toEqual([
      { row: 3, field: "name", message: expect.any(String) },
      { row: 4, field: "Price", message: "not a price" },
      { row: 5, field: "row", message: "has 4 fields, the header has 5" },
    ]);
    expect(created.json.source).toMatchObject({ kind: "catalogue", name: "Products", chunkCount: 2 });
    const arm = await search("dual monitor arm load", headers);
    expect(arm[0]?.text).toBe("Monitor arm, dual — 139 USD — Colour: silver — Max load: 9 kg per arm");
    expect(arm[0]?.headingPath).toEqual(["Products", "Monitor arm, dual"]);

    const json = JSON.stringify({
      products: [{ name: "LiftDesk Mini", price: "$399", sizes: ["100 cm", "120 cm"] }, 7],
    });
    const replaced = await send(`/v1/knowledge/catalogues/${created.json.source.id}`, headers, json, {
      method: "PUT",
      contentType: "application/json",
    });
    expect(replaced.status).toBe(200);
    expect(replaced.json.report).toMatchObject({ rows: 2, indexed: 1, failed: 1 });
    expect((await search("LiftDesk Mini sizes", headers))[0]?.text).toBe(
      "LiftDesk Mini — $399 — sizes: 100 cm, 120 cm",
    );
    expect(await search("monitor arm", headers)).toEqual([]);

    const none = await send("/v1/knowledge/catalogues", headers, "Name,Price\n,1\n", {
      contentType: "text/csv",
    });
    expect(none.status).toBe(422);
    expect(none.json.error.details.errors[0]).toMatchObject({ row: 2, field: "name" });
    const notJson = await send("/v1/knowledge/catalogues", headers, "{", { contentType: "application/json" });
    expect(notJson.status).toBe(400);
    expect(notJson.json.error.message).toMatch(/^file:/);
    const other = await admin("Other Catalogue Co");
    const foreign = await send(`/v1/knowledge/catalogues/${created.json.source.id}`, other.headers, json, {
      method: "PUT",
      contentType: "application/json",
    });
    expect(foreign.status).toBe(404);
    expect(await search("LiftDesk Mini", other.headers)).toEqual([]);
  });
});
