import { describe, expect, it } from "vitest";
import { CSV_LIMITS, CsvError, parseCsv } from "./csv.js";

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
  it("names the line of a broken row, an over-long field and too many columns", async () => {
    const failure = (text: string) =>
      all(text).then(
        () => null,
        (error: unknown) =>
          error instanceof CsvError ? { line: error.line, message: error.message } : error,
      );
    expect(await failure('a,b\nc,d\ne,"f"g\n')).toEqual({
      line: 3,
      message: "a quoted field continues after its closing quote",
    });
    expect(await failure(`a\n${"x".repeat(CSV_LIMITS.maxFieldChars + 1)}\n`)).toEqual({
      line: 2,
      message: "field too long",
    });
    expect(
      await failure(
        `a\n${Array(CSV_LIMITS.maxColumns + 1)
          .fill("x")
          .join(",")}\n`,
      ),
    ).toEqual({
      line: 2,
      message: `more than ${CSV_LIMITS.maxColumns} columns`,
    });
  });
  it("skips a byte order mark and reads CR-only line ends", async () => {
    expect(await all("\uFEFFname,email\rJo,j@x.com\r")).toEqual([
      { line: 1, fields: ["name", "email"] },
      { line: 2, fields: ["Jo", "j@x.com"] },
    ]);
  });
});
