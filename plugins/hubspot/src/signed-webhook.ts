import type { TestHost } from "@autopilot/sdk/testing";
import { signV3 } from "./signature.js";

// For the tests: HubSpot's events webhook as HubSpot sends it, signed (v3) with the app's client secret.

const URL_SEEN = "https://api.example.com/v1/hooks/i/events";

/** Posts `body` to the install's events webhook, signed at `timestamp` with `secret`; the status answered. */
export async function postSignedEvents(
  host: TestHost,
  body: string,
  { timestamp = Date.now(), secret = "client-secret" }: { timestamp?: number; secret?: string } = {},
): Promise<number> {
  const ts = String(timestamp);
  const signature = await signV3(secret, "POST", URL_SEEN, body, ts);
  const out = await host.call({
    kind: "webhook",
    name: "events",
    request: {
      method: "POST",
      url: "/v1/hooks/i/events",
      headers: { "x-hubspot-signature-v3": signature, "x-hubspot-request-timestamp": ts },
      body,
    },
  });
  return out.ok ? (out.value as { status: number }).status : 0;
}
