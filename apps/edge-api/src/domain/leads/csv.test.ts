import { describe, expect, it } from "vitest";
import { CsvError, parseCsv } from "./csv.js";

// Feeds the text in small chunks so records and quotes straddle chunk boundaries.
function streamOf(text: string, chunk = 3): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(i, i + chunk));
      i += chunk;
    },
  });
}

async function all(text: string) {
  const out: { line: number; fields: string[] }[] = [];
  for await (const r of parseCsv(streamOf(text))) out.push(r);
  return out;
}

describe("parseCsv", () => {
  it("handles quotes, escapes, CRLF, embedded newlines and blank lines across chunks", async () => {
    const rows = await all(
      'name,email\r\n"Doe, Jane","j@x.com"\r\n\r\n"Say ""hi""",a@b.c\n"multi\nline",z\n',
    );
    expect(rows).toEqual([
      { line: 1, fields: ["name", "email"] },
      { line: 2, fields: ["Doe, Jane", "j@x.com"] },
      { line: 4, fields: ['Say "hi"', "a@b.c"] },
      { line: 5, fields: ["multi\nline", "z"] },
    ]);
  });
  it("keeps a last record without a newline, and keeps empty fields", async () => {
    expect(await all("a,,c\nd,e,")).toEqual([
      { line: 1, fields: ["a", "", "c"] },
      { line: 2, fields: ["d", "e", ""] },
    ]);
  });
  it("fails on an unterminated quote", async () => {
    await expect(all('a,"open\n')).rejects.toBeInstanceOf(CsvError);
  });
});
