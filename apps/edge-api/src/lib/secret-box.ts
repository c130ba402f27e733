// AES-GCM under the AI_MASTER_KEY binding (32 bytes, base64): secrets at rest (tenants' AI provider keys,
// plugins' secret settings).
// Format: base64url(iv ‖ ciphertext+tag). A fresh 96-bit IV per encryption.

const encoder = new TextEncoder();

async function keyFrom(masterKeyBase64: string): Promise<CryptoKey> {
  const raw = Uint8Array.from(atob(masterKeyBase64), (c) => c.charCodeAt(0));
  if (raw.length !== 32) throw new Error("AI_MASTER_KEY must be 32 bytes, base64");
  return crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
}

const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

export async function seal(masterKey: string, plaintext: string, context: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    // The tenant id as additional data: a ciphertext copied to another tenant does not decrypt.
    { name: "AES-GCM", iv, additionalData: encoder.encode(context) },
    await keyFrom(masterKey),
    encoder.encode(plaintext),
  );
  const out = new Uint8Array(12 + data.byteLength);
  out.set(iv);
  out.set(new Uint8Array(data), 12);
  return b64(out);
}

export async function open(masterKey: string, sealed: string, context: string): Promise<string> {
  const bytes = unb64(sealed);
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: bytes.slice(0, 12), additionalData: encoder.encode(context) },
    await keyFrom(masterKey),
    bytes.slice(12),
  );
  return new TextDecoder().decode(plain);
}
