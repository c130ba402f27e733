import { type Database, knowledgeSources, withTenant } from "@autopilot/db";
import { and, eq, sql } from "drizzle-orm";
import { AppError, notFound } from "../domain/errors.js";
import { CsvError, parseCsv } from "../domain/leads/csv.js";
import type { Principal } from "../domain/principal.js";
import { type Chunk, estimateTokens } from "./chunk.js";
import { type SourceView, view } from "./sources.js";
import * as store from "./store.js";
import { stripInvisible } from "./text.js";
import { type Upload, uploadFields } from "./uploads.js";

// Product catalogue sources (issue 5): a CSV (header row) or JSON (an array of objects, or
// {"products": [...]}) upload, one chunk per product, "Name — price — attribute: value — …", so a
// question about one product retrieves that product with all its attributes. Parsed in the request
// (bounded: MAX_PRODUCTS rows), so the response reports each rejected row; a re-upload replaces all
// of the source's chunks in one transaction.

export const MAX_PRODUCTS = 5000;
const MAX_REPORTED_ERRORS = 100;

export type Product = { name: string; price: string | null; attributes: [string, string][] };
export type CatalogueRowError = { row: number; field: string; message: string };
export type CatalogueReport = { rows: number; indexed: number; failed: number; errors: CatalogueRowError[] };

const NAME_KEYS = ["name", "title", "product", "product_name"];
const PRICE_KEYS = ["price", "amount"];
const clean = (s: string) => stripInvisible(s).replace(/\s+/g, " ").trim();

/** Field value to text: primitives as they are, lists of primitives joined, anything else skipped. */
function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "string") return clean(value) || null;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (Array.isArray(value) && value.every((v) => ["string", "number", "boolean"].includes(typeof v)))
    return clean(value.join(", ")) || null;
  return null;
}

/** One record (header → value) to a product, or why not. */
function toProduct(record: [string, unknown][]): Product | { field: string; message: string } {
  const lower = record.map(([k, v]) => [k.trim().toLowerCase(), k.trim(), v] as const);
  const nameField = lower.find(([k]) => NAME_KEYS.includes(k));
  const name = nameField ? text(nameField[2]) : null;
  if (!name) return { field: "name", message: "required (a name, title or product column)" };
  if (name.length > 300) return { field: "name", message: "at most 300 characters" };
  const priceField = lower.find(([k]) => PRICE_KEYS.includes(k));
  const priceText = priceField ? text(priceField[2]) : null;
  const currency = text(lower.find(([k]) => k === "currency")?.[2]);
  if (priceText && !/\d/.test(priceText))
    return { field: priceField?.[1] ?? "price", message: "not a price" };
  const price = priceText
    ? currency && !priceText.includes(currency)
      ? `${priceText} ${currency}`
      : priceText
    : null;
  const attributes: [string, string][] = [];
  for (const [k, original, v] of lower) {
    if (k === nameField?.[0] || k === priceField?.[0] || k === "currency" || !k) continue;
    const value = text(v);
    if (value) attributes.push([clean(original).slice(0, 100), value.slice(0, 2000)]);
  }
  return { name, price, attributes };
}

export function productChunk(catalogue: string, p: Product): Chunk {
  const body = [p.name, p.price, ...p.attributes.map(([k, v]) => `${k}: ${v}`)].filter(Boolean).join(" — ");
  const headingText = `${catalogue} > ${p.name}`;
  return {
    headingPath: [catalogue, p.name],
    headingText,
    text: body,
    tokenCount: estimateTokens(body) + estimateTokens(headingText),
  };
}

/** Parses a CSV or JSON catalogue: the products, and the rows that were rejected (1-based). */
export async function parseCatalogue(
  format: "csv" | "json",
  bytes: Uint8Array,
): Promise<{ products: Product[]; errors: CatalogueRowError[]; rows: number }> {
  const products: Product[] = [];
  const errors: CatalogueRowError[] = [];
  let rows = 0;
  const add = (row: number, record: [string, unknown][]) => {
    rows++;
    if (rows > MAX_PRODUCTS)
      throw new AppError("too_large", `file: at most ${MAX_PRODUCTS} products per catalogue`);
    const result = toProduct(record);
    if ("name" in result && "attributes" in result) products.push(result);
    else errors.push({ row, ...result });
  };
  if (format === "json") {
    let data: unknown;
    try {
      data = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new AppError("invalid_request", "file: not valid JSON");
    }
    const list = Array.isArray(data) ? data : (data as { products?: unknown })?.products;
    if (!Array.isArray(list))
      throw new AppError("invalid_request", 'file: a JSON array of products, or {"products": [...]}');
    list.forEach((item, i) => {
      if (item && typeof item === "object" && !Array.isArray(item)) add(i + 1, Object.entries(item));
      else {
        rows++;
        errors.push({ row: i + 1, field: "row", message: "not an object" });
      }
    });
    return { products, errors, rows };
  }
  let header: string[] | null = null;
  try {
    for await (const { line, fields } of parseCsv(new Response(bytes).body as ReadableStream<Uint8Array>)) {
      if (!header) {
        header = fields.map((f) => f.trim());
        continue;
      }
      if (fields.length !== header.length) {
        rows++;
        errors.push({
          row: line,
          field: "row",
          message: `has ${fields.length} fields, the header has ${header.length}`,
        });
        continue;
      }
      add(
        line,
        header.map((h, i) => [h, fields[i]] as [string, unknown]),
      );
    }
  } catch (error) {
    if (error instanceof CsvError)
      throw new AppError("invalid_request", `file: line ${error.line}: ${error.message}`);
    throw error;
  }
  if (!header) throw new AppError("invalid_request", "file: the CSV has no header row");
  return { products, errors, rows };
}

function catalogueFormat(upload: Upload): "csv" | "json" {
  const type = upload.contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  if (type === "text/csv" || /\.csv$/i.test(upload.fileName)) return "csv";
  if (type === "application/json" || /\.json$/i.test(upload.fileName)) return "json";
  throw new AppError(
    "unsupported_media_type",
    "file: send text/csv or application/json (a .csv or .json file)",
  );
}

export type CatalogueResult = { source: SourceView; report: CatalogueReport };

/**
 * Creates a catalogue source (no `id`) or replaces one's products (`id`): chunks replaced in one
 * transaction. A file where no row is a product is rejected (422) and nothing is written.
 */
export async function saveCatalogue(
  db: Database,
  principal: Principal,
  upload: Upload,
  id?: string,
): Promise<CatalogueResult> {
  const format = catalogueFormat(upload);
  const { name, url } = uploadFields(upload);
  const { products, errors, rows } = await parseCatalogue(format, upload.bytes);
  const report = (indexed: number): CatalogueReport => ({
    rows,
    indexed,
    failed: errors.length,
    errors: errors.slice(0, MAX_REPORTED_ERRORS),
  });
  if (products.length === 0) throw new AppError("no_products", "file: no row is a valid product", report(0));
  const config = { format, fileName: upload.fileName.slice(0, 300), products: products.length, url };
  const tenantId = principal.tenantId;
  return withTenant(db, tenantId, async (tx) => {
    let row: store.SourceRow | undefined;
    if (id) {
      const existing = await store.getSource(tx, tenantId, id);
      if (existing?.kind !== "catalogue") throw notFound("catalogue source");
      [row] = await tx
        .update(knowledgeSources)
        .set({ name: upload.fields.name?.trim() ? name : existing.name, config, updatedAt: sql`now()` })
        .where(and(eq(knowledgeSources.tenantId, tenantId), eq(knowledgeSources.id, id)))
        .returning();
    } else {
      [row] = await tx
        .insert(knowledgeSources)
        .values({ tenantId, kind: "catalogue", name, config })
        .returning();
    }
    if (!row) throw new Error("catalogue source row missing");
    const indexed = await store.replaceSourceChunks(
      tx,
      row,
      products.map((p) => productChunk(row.name, p)),
      url,
    );
    const [updated] = await tx
      .update(knowledgeSources)
      .set({ chunkCount: indexed, lastRunFinishedAt: sql`now()`, lastError: null })
      .where(and(eq(knowledgeSources.tenantId, tenantId), eq(knowledgeSources.id, row.id)))
      .returning();
    return { source: view(updated ?? row), report: report(indexed) };
  });
}
