// Just enough of the Postgres wire protocol (v3) for the bridge's pooling: framing and a few codes.

export const SSL_REQUEST = 80877103;
export const PROTOCOL_3 = 196608;

/** One message after start-up: its type byte and the whole message (type, length and body). */
export type WireMessage = { type: string; bytes: Buffer };

/**
 * Splits a byte stream into messages of the form type byte + Int32 length (the length counts itself,
 * not the type byte). Chunks may end mid-message; the rest waits for the next chunk.
 */
export class MessageSplitter {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): WireMessage[] {
    const buf = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const out: WireMessage[] = [];
    let at = 0;
    while (buf.length - at >= 5) {
      const end = at + 1 + buf.readInt32BE(at + 1);
      if (end > buf.length) break;
      out.push({ type: String.fromCharCode(buf[at] as number), bytes: buf.subarray(at, end) });
      at = end;
    }
    this.pending = at === buf.length ? Buffer.alloc(0) : Buffer.from(buf.subarray(at));
    return out;
  }

  /** Bytes received but not yet a whole message. */
  rest(): Buffer {
    return this.pending;
  }
}

/** Splits off the first untyped message (StartupMessage, SSLRequest): Int32 length, then the body. */
export function takeUntyped(buf: Buffer): { message: Buffer; rest: Buffer } | null {
  if (buf.length < 8) return null;
  const length = buf.readInt32BE(0);
  if (length < 8 || length > 10_000) return { message: buf, rest: Buffer.alloc(0) }; // not ours: pipe it
  if (buf.length < length) return null;
  return { message: buf.subarray(0, length), rest: buf.subarray(length) };
}

/** A simple-protocol Query message. */
export function queryMessage(sql: string): Buffer {
  const text = Buffer.from(`${sql}\0`, "utf8");
  const head = Buffer.alloc(5);
  head.write("Q", 0, "latin1");
  head.writeInt32BE(4 + text.length, 1);
  return Buffer.concat([head, text]);
}
