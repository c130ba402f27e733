// Seeds a workspace through the public HTTP API (the same path a user takes): sign up, verify the email
// with the link from the dev mailbox, create an API key. Used by `npm start` (demo workspace) and the
// benchmarks (a fresh tenant), so it takes any fetch-like function.

export type CallApi = (
  path: string,
  init?: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<Response>;

export type Account = { email: string; password: string; name: string; companyName: string };
export type SeededWorkspace = { tenantId: string; apiKey: string; keyId: string };

type SignedIn = { tenantId: string; cookie: string; csrfToken: string };

async function expectJson<T>(res: Response, what: string, ok: number[] = [200, 201]): Promise<T> {
  const text = await res.text();
  if (!ok.includes(res.status)) throw new Error(`${what}: HTTP ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

const json = (method: string, body: unknown, headers: Record<string, string> = {}) => ({
  method,
  headers: { "content-type": "application/json", ...headers },
  body: JSON.stringify(body),
});

function sessionFrom(res: Response, body: { tenant: { id: string }; csrfToken: string }): SignedIn {
  // Node's Headers has getSetCookie (typed so even where only the workers' Headers type is known).
  const setCookies = (res.headers as unknown as { getSetCookie(): string[] }).getSetCookie();
  const cookie = setCookies
    .map((c) => c.split(";")[0] ?? "")
    .filter((c) => c.startsWith("ap_"))
    .join("; ");
  if (!cookie.includes("ap_session=")) throw new Error("sign-in answered without a session cookie");
  return { tenantId: body.tenant.id, cookie, csrfToken: body.csrfToken };
}

/** Signs up, or signs in when the account already exists (a demo whose saved key was lost). */
async function signUpOrIn(call: CallApi, account: Account): Promise<SignedIn> {
  const res = await call("/v1/auth/signup", json("POST", account));
  if (res.status === 409) {
    await res.body?.cancel();
    const login = await call(
      "/v1/auth/login",
      json("POST", { email: account.email, password: account.password }),
    );
    const body = await expectJson<{ tenant: { id: string }; csrfToken: string }>(login, "login");
    return sessionFrom(login, body);
  }
  const body = await expectJson<{ tenant: { id: string }; csrfToken: string }>(res, "signup");
  return sessionFrom(res, body);
}

/** Verifies the email with the newest verification link in the workspace's dev mailbox, unless already verified. */
async function verifyEmail(call: CallApi, email: string, session: SignedIn): Promise<void> {
  const me = await expectJson<{ user: { emailVerified: boolean } | null }>(
    await call("/v1/me", { headers: { cookie: session.cookie } }),
    "me",
  );
  if (me.user?.emailVerified) return;
  const { mail } = await expectJson<{ mail: { kind: string; text: string }[] }>(
    await call(`/v1/dev/mailbox?to=${encodeURIComponent(email)}&limit=20`, {
      headers: { cookie: session.cookie },
    }),
    "dev mailbox",
  );
  const token = mail
    .filter((m) => m.kind === "verify_email")
    .map((m) => /[?&]token=([A-Za-z0-9_-]+)/.exec(m.text)?.[1])
    .find(Boolean);
  if (!token) throw new Error(`no verification mail for ${email} in the dev mailbox`);
  await expectJson(await call("/v1/auth/verify-email", json("POST", { token })), "verify email");
}

export async function seedWorkspace(
  call: CallApi,
  account: Account,
  key: { name: string; role?: string } = { name: "demo" },
): Promise<SeededWorkspace> {
  const session = await signUpOrIn(call, account);
  await verifyEmail(call, account.email, session);
  const created = await expectJson<{ id: string; secret: string }>(
    await call(
      "/v1/api-keys",
      json(
        "POST",
        { name: key.name, role: key.role ?? "admin", scopes: ["read", "write"] },
        {
          cookie: session.cookie,
          "x-csrf-token": session.csrfToken,
        },
      ),
    ),
    "create API key",
    [201],
  );
  return { tenantId: session.tenantId, apiKey: created.secret, keyId: created.id };
}

/** True when `apiKey` still authenticates (the database may have been reset since it was saved). */
export async function apiKeyWorks(call: CallApi, apiKey: string): Promise<boolean> {
  const res = await call("/v1/me", { headers: { authorization: `Bearer ${apiKey}` } });
  await res.body?.cancel();
  return res.status === 200;
}
