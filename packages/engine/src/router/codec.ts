// Typed arrays <-> base64 strings, so the compiled model stays plain JSON yet compact.
// Byte order is the platform's (little-endian on every engine we target: V8, JSC, SpiderMonkey).

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const LOOKUP = new Uint8Array(128);
const CODES = new Uint8Array(64);
for (let i = 0; i < ALPHABET.length; i++) {
  LOOKUP[ALPHABET.charCodeAt(i)] = i;
  CODES[i] = ALPHABET.charCodeAt(i);
}
const DECODER = new TextDecoder();

type Typed = Float32Array | Int32Array | Uint32Array | Uint16Array;

export function encode(arr: Typed): string {
  const bytes = new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength);
  const out = new Uint8Array(Math.ceil(bytes.length / 3) * 4);
  let o = 0;
  for (let i = 0; i < bytes.length; i += 3) {
    const rest = bytes.length - i;
    const n =
      ((bytes[i] as number) << 16) |
      (rest > 1 ? (bytes[i + 1] as number) << 8 : 0) |
      (rest > 2 ? (bytes[i + 2] as number) : 0);
    out[o++] = CODES[(n >> 18) & 63] as number;
    out[o++] = CODES[(n >> 12) & 63] as number;
    out[o++] = rest > 1 ? (CODES[(n >> 6) & 63] as number) : 61; // '='
    out[o++] = rest > 2 ? (CODES[n & 63] as number) : 61;
  }
  return DECODER.decode(out);
}

function decodeBytes(s: string): Uint8Array {
  let pad = 0;
  if (s.endsWith("==")) pad = 2;
  else if (s.endsWith("=")) pad = 1;
  const len = (s.length / 4) * 3 - pad;
  // Allocate a multiple of 4 bytes so any 32-bit view fits.
  const out = new Uint8Array(Math.ceil(len / 4) * 4);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    const n =
      ((LOOKUP[s.charCodeAt(i)] as number) << 18) |
      ((LOOKUP[s.charCodeAt(i + 1)] as number) << 12) |
      ((LOOKUP[s.charCodeAt(i + 2)] as number) << 6) |
      (LOOKUP[s.charCodeAt(i + 3)] as number);
    if (o < len) out[o++] = (n >> 16) & 255;
    if (o < len) out[o++] = (n >> 8) & 255;
    if (o < len) out[o++] = n & 255;
  }
  return out;
}

export const decodeF32 = (s: string): Float32Array => {
  const b = decodeBytes(s);
  return new Float32Array(b.buffer, 0, Math.floor(b.byteLength / 4)).slice(0, lengthOf(s, 4));
};
export const decodeI32 = (s: string): Int32Array =>
  new Int32Array(decodeBytes(s).buffer).slice(0, lengthOf(s, 4));
export const decodeU32 = (s: string): Uint32Array =>
  new Uint32Array(decodeBytes(s).buffer).slice(0, lengthOf(s, 4));

function lengthOf(s: string, bytesPer: number): number {
  let pad = 0;
  if (s.endsWith("==")) pad = 2;
  else if (s.endsWith("=")) pad = 1;
  return ((s.length / 4) * 3 - pad) / bytesPer;
}
