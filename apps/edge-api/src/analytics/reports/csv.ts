import type { ReportRow } from "./query.js";

const cell = (v: string | number | null | undefined) => {
  if (v === null || v === undefined) return "";
  const s = String(v);
  // Quote when needed, and defuse spreadsheet formulas (=, +, -, @ at the start of text).
  const safe = typeof v === "string" && /^[=+\-@]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

/** The rows as a streamed CSV (header: every column any row has, in first-seen order). */
export function csvStream(rows: ReportRow[]): ReadableStream<Uint8Array> {
  const columns: string[] = [];
  for (const r of rows) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
  const encoder = new TextEncoder();
  let i = -1;
  return new ReadableStream({
    pull(controller) {
      // One chunk of up to 500 lines per pull, so a large export never sits whole in memory twice.
      const lines: string[] = [];
      if (i < 0) {
        lines.push(columns.map(cell).join(","));
        i = 0;
      }
      for (; i < rows.length && lines.length < 500; i++) {
        const r = rows[i] as ReportRow;
        lines.push(columns.map((c) => cell(r[c])).join(","));
      }
      if (lines.length > 0) controller.enqueue(encoder.encode(`${lines.join("\r\n")}\r\n`));
      if (i >= rows.length) controller.close();
    },
  });
}
