import { type FakeAnswer, jsonOf, startFakeServer } from "./server.js";

// Telegram's Bot API as the channel plugin uses it (POST /bot<token>/<method>, JSON in, {ok, result}
// out; 429 with parameters.retry_after), for the channel tests. GET /calls?token=… lists what each bot
// was asked; POST /control {token, down, rateLimitNext} makes a bot's API answer 502 while down, or
// 429 for its next n sends.

type Call = { method: string; body: Record<string, unknown> };

export async function startFakeTelegram(port = 0): Promise<{ url: string; close: () => Promise<void> }> {
  const calls = new Map<string, Call[]>();
  const state = new Map<string, { down: boolean; rateLimitNext: number }>();
  let messageId = 1000;
  return startFakeServer(port, ({ method: verb, url, body: raw }): FakeAnswer => {
    if (verb === "GET" && url.pathname === "/calls")
      return { status: 200, json: calls.get(url.searchParams.get("token") ?? "") ?? [] };
    if (verb === "POST" && url.pathname === "/control") {
      const c = jsonOf(raw) as { token: string; down?: boolean; rateLimitNext?: number };
      state.set(c.token, { down: c.down ?? false, rateLimitNext: c.rateLimitNext ?? 0 });
      return { status: 200, json: { ok: true } };
    }
    const m = /^\/bot([^/]+)\/(\w+)$/.exec(url.pathname);
    if (verb !== "POST" || !m)
      return { status: 404, json: { ok: false, error_code: 404, description: "Not Found" } };
    const [, token = "", method = ""] = m;
    const s = state.get(token) ?? { down: false, rateLimitNext: 0 };
    if (s.down) return { status: 502, text: "Bad Gateway" };
    const body = jsonOf(raw);
    if (!body)
      return {
        status: 400,
        json: { ok: false, error_code: 400, description: "Bad Request: can't parse JSON" },
      };
    if (method === "sendMessage" && s.rateLimitNext > 0) {
      s.rateLimitNext--;
      state.set(token, s);
      return {
        status: 429,
        json: {
          ok: false,
          error_code: 429,
          description: "Too Many Requests: retry after 1",
          parameters: { retry_after: 1 },
        },
      };
    }
    const text = typeof body.text === "string" ? body.text : "";
    if (method === "sendMessage" && (text.length < 1 || text.length > 4096))
      return {
        status: 400,
        json: { ok: false, error_code: 400, description: "Bad Request: message text is empty or too long" },
      };
    calls.set(token, [...(calls.get(token) ?? []), { method, body }]);
    if (method === "sendMessage")
      return { status: 200, json: { ok: true, result: { message_id: ++messageId, text } } };
    return { status: 200, json: { ok: true, result: true } };
  });
}

// `npm run fake:telegram`: the fake on a fixed port, to try the Telegram channel on `npm start`
// (README: "Channels"). FAKE_TELEGRAM_PORT sets the port (default 8791).
if (import.meta.url === `file://${process.argv[1]}`) {
  const port = Number(process.env.FAKE_TELEGRAM_PORT ?? 8791);
  startFakeTelegram(port).then((fake) => {
    console.log(`fake Telegram Bot API on ${fake.url} (GET /calls?token=… lists what each bot was asked)`);
  });
}
