import { z } from "zod";

// Short-lived signed visitor tokens: base64url(payload).base64url(HMAC-SHA256(payload)). The widget
// gets one from POST /v1/widget/session and sends it with every message; nothing is stored server-side.

export const VISITOR_TOKEN_TTL_SECONDS = 60 * 60;

const Payload = z.object({ t: z.uuid(), v: z.string().min(1).max(100), k: z.uuid(), exp: z.number().int() });
export type VisitorClaims = { tenantId: string; visitorId: string; keyId: string; expiresAt: number };

const encoder = new TextEncoder();

const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
const unb64url = (s: string) =>
  Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));

// Imported once per isolate and secret, not on every message.
const hmacKeys = new Map<string, Promise<CryptoKey>>();
const hmacKey = (secret: string) => {
  // A deploy without the secret: say so instead of failing inside WebCrypto.
  if (!secret) throw new Error("VISITOR_TOKEN_SECRET is not set (wrangler secret put VISITOR_TOKEN_SECRET)");
  let key = hmacKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    hmacKeys.set(secret, key);
  }
  return key;
};

export async function signVisitorToken(
  secret: string,
  claims: Omit<VisitorClaims, "expiresAt">,
  ttlSeconds = VISITOR_TOKEN_TTL_SECONDS,
) {
  const expiresAt = Math.floor(Date.now() / 1000) + ttlSeconds;
  const body = b64url(
    encoder.encode(
      JSON.stringify({ t: claims.tenantId, v: claims.visitorId, k: claims.keyId, exp: expiresAt }),
    ),
  );
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", await hmacKey(secret), encoder.encode(body)));
  return { token: `${body}.${b64url(sig)}`, expiresAt };
}

/** The claims of a genuine, unexpired token; null for anything else (forged, expired, malformed). */
export async function verifyVisitorToken(secret: string, token: string): Promise<VisitorClaims | null> {
  const [body, sig, extra] = token.split(".");
  if (!body || !sig || extra !== undefined) return null;
  try {
    const ok = await crypto.subtle.verify("HMAC", await hmacKey(secret), unb64url(sig), encoder.encode(body));
    if (!ok) return null;
    const p = Payload.safeParse(JSON.parse(new TextDecoder().decode(unb64url(body))));
    if (!p.success || p.data.exp <= Math.floor(Date.now() / 1000)) return null;
    return { tenantId: p.data.t, visitorId: p.data.v, keyId: p.data.k, expiresAt: p.data.exp };
  } catch {
    return null;
  }
}
