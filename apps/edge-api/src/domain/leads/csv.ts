import { CsvError as ParseError, parse } from "csv-parse/stream";

// CSV files (lead imports, product catalogues) parsed as they stream in, by csv-parse (RFC 4180:
// quoted fields, "" escapes, newlines inside quotes), without holding the body in memory.

/** Limits that keep one import from exhausting the isolate. */
export const CSV_LIMITS = { maxFieldChars: 10_000, maxColumns: 100 };

/** The parser's own bound on one record's bytes: every field at its limit, with room for quotes. */
const MAX_RECORD_BYTES = CSV_LIMITS.maxFieldChars * 4 * 2;

export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const REASONS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: "unterminated quoted field",
  CSV_MAX_RECORD_SIZE: "field too long",
  CSV_INVALID_CLOSING_QUOTE: "a quoted field continues after its closing quote",
  INVALID_OPENING_QUOTE: "a quote inside an unquoted field",
};

/**
 * Yields each record with the line it started on. Blank lines are skipped; CR, LF and CRLF all end a
 * record, mixed in one file as spreadsheets export them.
 */
export async function* parseCsv(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<{ line: number; fields: string[] }> {
  const reader = stream
    .pipeThrough(
      parse({
        bom: true,
        record_delimiter: ["\r\n", "\n", "\r"],
        relax_column_count: true,
        skip_empty_lines: true,
        max_record_size: MAX_RECORD_BYTES,
        info: true,
      }),
    )
    .getReader();
  // Whoever stops early (a bad header, a bad row, an error) cancels the rest of the body: an unread
  // request body left behind stalls the connection (and on keep-alive, the next request).
  let finished = false;
  try {
    for (;;) {
      const step = await reader.read().catch((error: unknown) => {
        if (!(error instanceof ParseError)) throw error;
        const line = typeof error.lines === "number" ? error.lines : 1;
        throw new CsvError(line, REASONS[error.code] ?? "not valid CSV");
      });
      if (step.done) {
        finished = true;
        return;
      }
      const { record, info } = step.value as { record: string[]; info: { lines: number } };
      // info.lines is where the record ended: a field with line breaks started it earlier.
      const line = info.lines - record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0);
      if (record.length > CSV_LIMITS.maxColumns)
        throw new CsvError(line, `more than ${CSV_LIMITS.maxColumns} columns`);
      if (record.some((f) => f.length > CSV_LIMITS.maxFieldChars)) throw new CsvError(line, "field too long");
      yield { line, fields: record };
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
  }
}
