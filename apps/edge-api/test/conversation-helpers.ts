import { env } from "cloudflare:test";
import { expect } from "vitest";
import { quoteRoute, supportRoute } from "./fixtures/routes.js";
import { call, type Session, signup } from "./helpers.js";

export { quoteRoute, supportRoute };

// Helpers for conversation tests: a tenant with a widget key, visitor sessions, routes.

export type Tenant = Session & { publicKey: string };

export async function tenantWithWidget(routes: unknown[] = [quoteRoute, supportRoute]): Promise<Tenant> {
  const s = await signup("Conv Co");
  for (const r of routes) {
    const res = await call("/v1/routes", { body: r, headers: s.auth });
    expect(res.status, JSON.stringify(res.json)).toBe(201);
  }
  const key = await call("/v1/widget-keys", { body: { settings: { title: "Chat" } }, headers: s.auth });
  expect(key.status, JSON.stringify(key.json)).toBe(201);
  return { ...s, publicKey: key.json.publicKey };
}

export async function visitor(t: Tenant) {
  const res = await call("/v1/widget/session", { body: { publicKey: t.publicKey } });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return {
    token: res.json.token as string,
    visitorId: res.json.visitorId as string,
    auth: { authorization: `Bearer ${res.json.token}` },
  };
}

export async function startConversation(t: Tenant) {
  const v = await visitor(t);
  const res = await call("/v1/widget/conversations", { body: { channel: "web" }, headers: v.auth });
  expect(res.status, JSON.stringify(res.json)).toBe(201);
  return { ...v, id: res.json.conversation.id as string };
}

export const say = (c: { id: string; auth: Record<string, string> }, text: string) =>
  call(`/v1/widget/conversations/${c.id}/messages`, { body: { text }, headers: c.auth });

export const texts = (res: { json: { messages: { sender: string; text: string }[] } }) =>
  res.json.messages.filter((m) => m.sender !== "visitor").map((m) => m.text);

export async function useFakeOpenAi(t: Tenant, model: string, dailyTokenBudget = 1_000_000) {
  const res = await call("/v1/ai/settings", {
    method: "PUT",
    body: { provider: "openai", baseUrl: env.FAKE_OPENAI_URL, model, apiKey: "sk-test", dailyTokenBudget },
    headers: t.auth,
  });
  expect(res.status, JSON.stringify(res.json)).toBe(200);
}

type FakeCallKind = "calls" | "streamed" | "embedded";

/**
 * Calls the fake answered for a model: chat calls, `streamed` only those asked with `stream: true`,
 * `embedded` embeddings requests.
 */
export async function fakeCalls(model: string, kind: FakeCallKind = "calls"): Promise<number> {
  const res = await fetch(env.FAKE_OPENAI_URL.replace(/\/v1$/, "/stats"));
  const body = (await res.json()) as Record<FakeCallKind, Record<string, number>>;
  return body[kind][model] ?? 0;
}
