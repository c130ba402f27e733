import { type FakeAnswer, jsonOf, startFakeServer } from "./server.js";

// WhatsApp's Cloud API (Graph) as the channel plugin uses it: POST /<phone-number-id>/messages with a
// bearer token, answered {messages: [{id: "wamid…"}]}; 401 for another token. GET /calls?phone=…
// lists what each number was asked to send; POST /control {phone, down} makes it answer 503.

type Call = { body: Record<string, unknown> };

export async function startFakeWhatsApp(
  port = 0,
  token = "fake-whatsapp-token",
): Promise<{ url: string; close: () => Promise<void> }> {
  const calls = new Map<string, Call[]>();
  const down = new Set<string>();
  let next = 1;
  return startFakeServer(port, ({ method, url, headers, body: raw }): FakeAnswer => {
    if (method === "GET" && url.pathname === "/calls")
      return { status: 200, json: calls.get(url.searchParams.get("phone") ?? "") ?? [] };
    if (method === "POST" && url.pathname === "/control") {
      const c = jsonOf(raw) as { phone: string; down?: boolean };
      if (c.down) down.add(c.phone);
      else down.delete(c.phone);
      return { status: 200, json: { ok: true } };
    }
    const m = /^\/(?:v[0-9.]+\/)?([0-9]+)\/messages$/.exec(url.pathname);
    if (method !== "POST" || !m)
      return { status: 404, json: { error: { message: "Unknown path", type: "OAuthException", code: 803 } } };
    const phone = m[1] ?? "";
    if (headers.authorization !== `Bearer ${token}`)
      return {
        status: 401,
        json: { error: { message: "Invalid OAuth access token", type: "OAuthException", code: 190 } },
      };
    if (down.has(phone))
      return { status: 503, json: { error: { message: "Service temporarily unavailable", code: 2 } } };
    const body = jsonOf(raw);
    if (!body) return { status: 400, json: { error: { message: "Invalid JSON", code: 100 } } };
    if (body.messaging_product !== "whatsapp")
      return { status: 400, json: { error: { message: "messaging_product must be whatsapp", code: 100 } } };
    calls.set(phone, [...(calls.get(phone) ?? []), { body }]);
    return {
      status: 200,
      json: {
        messaging_product: "whatsapp",
        contacts: [{ input: body.to, wa_id: body.to }],
        messages: [{ id: `wamid.FAKE${next++}` }],
      },
    };
  });
}

// `npm run fake:whatsapp`: the fake on a fixed port, to try the WhatsApp channel on `npm start`
// (README: "Channels"). FAKE_WHATSAPP_PORT sets the port (default 8792); the access token it takes is
// fake-whatsapp-token.
if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.FAKE_WHATSAPP_PORT ?? 8792);
  startFakeWhatsApp(port).then((fake) => {
    console.log(
      `fake WhatsApp Cloud API on ${fake.url} (token fake-whatsapp-token; GET /calls?phone=… lists sends)`,
    );
  });
}
