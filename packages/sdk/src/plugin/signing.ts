// What checking a provider's signature takes (Telegram's secret token, WhatsApp's X-Hub-Signature-256,
// HubSpot's v3): an HMAC-SHA256 of what the provider signed, and a comparison that leaks no timing.

/** HMAC-SHA256 of `text` keyed with `secret` (both UTF-8), as bytes; `hex`/`base64` for headers. */
export async function hmacSha256(secret: string, text: string): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(text)));
}

export const hex = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
export const base64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));

/** Compares a secret a provider sent with the expected one in time that does not depend on where they differ. */
export function sameSecret(given: string, expected: string): boolean {
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(expected);
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
