import { type FakeAnswer, jsonOf, startFakeServer } from "./server.js";

// Resend's sending API as the email channel uses it (POST /emails with a Bearer key, JSON in, {id}
// out; 422 validation errors; 429 with Retry-After; Idempotency-Key: a key seen before answers the
// first send's id and sends nothing), for the channel tests and for trying the channel locally.
// GET /emails?key=… lists what each key sent; POST /control {key, down, rateLimitNext} makes the API
// answer 503 for that key while down, or 429 for its next n sends.

export type SentEmail = {
  id: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  reply_to?: string;
  headers: Record<string, string>;
};

const RESEND_KEY = /^re_[A-Za-z0-9_]{4,}$/;

export async function startFakeEmail(port = 0): Promise<{ url: string; close: () => Promise<void> }> {
  const sent = new Map<string, SentEmail[]>();
  const idempotent = new Map<string, string>();
  const state = new Map<string, { down: boolean; rateLimitNext: number }>();
  let n = 0;
  const error = (status: number, name: string, message: string, headers?: Record<string, string>) => ({
    status,
    json: { statusCode: status, name, message },
    ...(headers ? { headers } : {}),
  });
  return startFakeServer(port, ({ method, url, headers, body: raw }): FakeAnswer => {
    if (method === "GET" && url.pathname === "/emails")
      return { status: 200, json: sent.get(url.searchParams.get("key") ?? "") ?? [] };
    if (method === "POST" && url.pathname === "/control") {
      const c = jsonOf(raw) as { key: string; down?: boolean; rateLimitNext?: number };
      state.set(c.key, { down: c.down ?? false, rateLimitNext: c.rateLimitNext ?? 0 });
      return { status: 200, json: { ok: true } };
    }
    if (method !== "POST" || url.pathname !== "/emails") return error(404, "not_found", "Route not found");
    const key = /^Bearer (.+)$/.exec(String(headers.authorization ?? ""))?.[1] ?? "";
    if (!key) return error(401, "missing_api_key", "Missing API key in the authorization header");
    if (!RESEND_KEY.test(key)) return error(403, "invalid_api_key", "API key is invalid");
    const s = state.get(key) ?? { down: false, rateLimitNext: 0 };
    if (s.down) return error(503, "application_error", "Service unavailable");
    if (s.rateLimitNext > 0) {
      s.rateLimitNext--;
      state.set(key, s);
      return error(429, "rate_limit_exceeded", "Too many requests", { "retry-after": "1" });
    }
    const body = jsonOf(raw) as Partial<SentEmail> | undefined;
    if (!body) return error(422, "validation_error", "Invalid JSON body");
    const to = Array.isArray(body.to) ? body.to.map(String) : [];
    if (typeof body.from !== "string" || !body.from.includes("@"))
      return error(422, "validation_error", "Invalid `from` field.");
    if (to.length === 0 || to.some((t) => !/@[^@\s>]+\.?[^@\s>]*>?$/.test(t)))
      return error(422, "validation_error", "Invalid `to` field.");
    if (typeof body.subject !== "string" || typeof body.text !== "string")
      return error(422, "validation_error", "Missing `subject` or `text` field.");
    const idempotencyKey = String(headers["idempotency-key"] ?? "");
    const seen = idempotencyKey ? idempotent.get(`${key}:${idempotencyKey}`) : undefined;
    if (seen) return { status: 200, json: { id: seen } };
    const id = `fake-${++n}-${Date.now().toString(36)}`;
    if (idempotencyKey) idempotent.set(`${key}:${idempotencyKey}`, id);
    const email: SentEmail = {
      id,
      from: body.from,
      to,
      subject: body.subject,
      text: body.text,
      ...(typeof body.reply_to === "string" ? { reply_to: body.reply_to } : {}),
      headers: (body.headers as Record<string, string>) ?? {},
    };
    sent.set(key, [...(sent.get(key) ?? []), email]);
    if (printing)
      console.log(
        `\n--- sent ${id} ---\nTo: ${to.join(", ")}\nSubject: ${email.subject}\nMessage-ID: ${email.headers["Message-ID"] ?? "-"}\n\n${email.text}\n`,
      );
    return { status: 200, json: { id } };
  });
}

let printing = false;

// `npm run fake:email`: the fake on a fixed port, to try the email channel on `npm start` (README:
// "Channels"); each mail it "sends" is printed. FAKE_EMAIL_PORT sets the port (default 8793).
if (import.meta.url === `file://${process.argv[1]}`) {
  printing = true;
  const port = Number(process.env.FAKE_EMAIL_PORT ?? 8793);
  startFakeEmail(port).then((fake) => {
    console.log(`fake Resend API on ${fake.url} (any key re_…; GET /emails?key=… lists what a key sent)`);
  });
}
