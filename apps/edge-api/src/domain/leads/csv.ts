/** Limits that keep one import from exhausting the isolate. */
export const CSV_LIMITS = { maxFieldChars: 10_000, maxColumns: 100 };

export class CsvError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Parses RFC 4180 CSV from a byte stream, record by record, without holding the body in memory:
 * quoted fields, "" escapes, CR/LF/CRLF line ends, newlines inside quotes. Blank lines are skipped.
 * Yields each record with the line it started on.
 */
export async function* parseCsv(
  stream: ReadableStream<Uint8Array>,
): AsyncGenerator<{ line: number; fields: string[] }> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let afterQuote = false; // just read a quote inside a quoted field: "" escape or the closing quote
  let line = 1;
  let recordLine = 1;
  let pendingCr = false;
  const endField = () => {
    if (fields.length >= CSV_LIMITS.maxColumns)
      throw new CsvError(recordLine, `more than ${CSV_LIMITS.maxColumns} columns`);
    fields.push(field);
    field = "";
  };
  // Whoever stops early (a bad header, a bad row, an error) cancels the rest of the body: an unread
  // request body left behind stalls the connection (and on keep-alive, the next request).
  let finished = false;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        break;
      }
      const out: { line: number; fields: string[] }[] = [];
      for (const ch of value) {
        if (pendingCr) {
          pendingCr = false;
          if (ch === "\n") continue; // CRLF already ended the record
        }
        if (quoted) {
          if (afterQuote) {
            afterQuote = false;
            if (ch === '"') {
              field += '"';
              continue;
            }
            quoted = false; // that quote closed the field; handle ch below as unquoted
          } else if (ch === '"') {
            afterQuote = true;
            continue;
          } else {
            if (ch === "\n") line++;
            field += ch;
            if (field.length > CSV_LIMITS.maxFieldChars) throw new CsvError(recordLine, "field too long");
            continue;
          }
        }
        if (ch === '"' && field === "") quoted = true;
        else if (ch === ",") endField();
        else if (ch === "\n" || ch === "\r") {
          pendingCr = ch === "\r";
          endField();
          if (!(fields.length === 1 && fields[0] === "")) out.push({ line: recordLine, fields });
          fields = [];
          line++;
          recordLine = line;
        } else {
          field += ch;
          if (field.length > CSV_LIMITS.maxFieldChars) throw new CsvError(recordLine, "field too long");
        }
      }
      yield* out;
    }
    if (quoted && !afterQuote) throw new CsvError(recordLine, "unterminated quoted field");
    if (field !== "" || fields.length > 0) {
      endField();
      yield { line: recordLine, fields };
    }
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
  }
}
