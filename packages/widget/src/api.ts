import type { Conversation, Session, Turn } from "./types.js";

// The public chat API as the widget calls it: a visitor session (a short-lived signed token), then
// conversations, messages and ratings with that token. Errors carry the HTTP status and API code.

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export class WidgetApi {
  private token: string | null = null;

  constructor(
    readonly origin: string,
    readonly publicKey: string,
    private readonly fetcher: FetchLike = (input, init) => fetch(input, init),
  ) {}

  get hasSession(): boolean {
    return this.token !== null;
  }

  async session(visitorId: string | null): Promise<Session> {
    const body = visitorId ? { publicKey: this.publicKey, visitorId } : { publicKey: this.publicKey };
    const session = await this.request<Session>("POST", "/v1/widget/session", body, false);
    this.token = session.token;
    return session;
  }

  start(): Promise<Turn> {
    return this.request("POST", "/v1/widget/conversations", { channel: "web" });
  }

  history(conversationId: string, after = 0): Promise<Turn> {
    return this.request("GET", `/v1/widget/conversations/${conversationId}/messages?after=${after}`);
  }

  /** `clientId` is the same on every resend of one message, so the server stores it once. */
  send(conversationId: string, text: string, clientId: string): Promise<Turn> {
    return this.request("POST", `/v1/widget/conversations/${conversationId}/messages`, { text, clientId });
  }

  rate(conversationId: string, score: number, comment: string): Promise<Conversation> {
    const body = comment ? { score, comment } : { score };
    return this.request("POST", `/v1/widget/conversations/${conversationId}/csat`, body);
  }

  socketUrl(conversationId: string): string {
    const base = this.origin.replace(/^http/, "ws");
    return `${base}/v1/widget/conversations/${conversationId}/ws?token=${encodeURIComponent(this.token ?? "")}`;
  }

  private async request<T>(method: string, path: string, body?: unknown, auth = true): Promise<T> {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (auth && this.token) headers.authorization = `Bearer ${this.token}`;
    const res = await this.fetcher(this.origin + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json().catch(() => ({}))) as {
      error?: { code?: string; message?: string };
    };
    if (!res.ok) {
      // An expired visitor token: the next call starts a new session.
      if (res.status === 401) this.token = null;
      throw new ApiError(
        res.status,
        json.error?.code ?? "http_error",
        json.error?.message ?? `HTTP ${res.status}`,
      );
    }
    return json as T;
  }
}
