import { base64, hmacSha256, sameSecret } from "@autopilot/sdk";

// HubSpot's webhook signature v3: base64 of HMAC-SHA256, keyed with the app's client secret, over
// method + full URI + raw body + the X-HubSpot-Request-Timestamp header (milliseconds); requests older
// than 5 minutes are refused (a replay).

export const MAX_AGE_MS = 5 * 60_000;

export async function signV3(secret: string, method: string, uri: string, body: string, timestamp: string) {
  return base64(await hmacSha256(secret, `${method}${uri}${body}${timestamp}`));
}

/** Why the request is refused, or null when HubSpot signed it within the last 5 minutes. */
export async function signatureProblem(
  secret: string,
  request: { method: string; uri: string; body: string; signature?: string; timestamp?: string },
  now = Date.now(),
): Promise<string | null> {
  if (!request.signature || !request.timestamp) return "unsigned";
  const at = Number(request.timestamp);
  if (!Number.isFinite(at) || Math.abs(now - at) > MAX_AGE_MS) return "timestamp older than 5 minutes";
  const expected = await signV3(secret, request.method, request.uri, request.body, request.timestamp);
  return sameSecret(request.signature, expected) ? null : "signature does not match";
}
