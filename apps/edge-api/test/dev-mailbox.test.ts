import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.js";
import { BASE, call, mailTokenFor, sessionFrom, signup, uniqueEmail } from "./helpers.js";

// The local mail outbox (issue 15, item 4): only a signed-in workspace's own mail, never anyone's reset
// or invite links to a stranger; and a worker deployed with it (no LOCAL_DEVELOPMENT) refuses to serve.

type Mail = { to: string; kind: string };
const mailbox = async (headers: Record<string, string>, query = "") => {
  const res = await call(`/v1/dev/mailbox${query}`, { headers });
  return { status: res.status, mail: (res.json.mail ?? []) as Mail[] };
};

describe("the local mail outbox", () => {
  it("needs a session, shows only the workspace's mail, and a member who is not an admin only theirs", async () => {
    expect((await mailbox({})).status).toBe(401);
    const a = await signup("Mailbox A");
    const b = await signup("Mailbox B");
    const invited = uniqueEmail("agent");
    await call("/v1/members/invites", { body: { email: invited, role: "agent" }, headers: a.auth });

    const seenByA = await mailbox(a.auth);
    expect(seenByA.status).toBe(200);
    expect(seenByA.mail.map((m) => m.to).sort()).toEqual([a.email, invited].sort());
    expect(seenByA.mail.some((m) => m.to === b.email)).toBe(false);
    // Asking for another workspace's address finds nothing.
    expect((await mailbox(a.auth, `?to=${encodeURIComponent(b.email)}`)).mail).toEqual([]);

    const joined = await call("/v1/auth/accept-invite", {
      body: { token: await mailTokenFor(invited, "invite"), password: "agent password 1", name: "Ann Agent" },
    });
    const agent = sessionFrom(joined, invited, "agent password 1");
    const seenByAgent = await mailbox(agent.auth);
    expect(seenByAgent.mail.map((m) => m.to)).toEqual([invited]);
  });

  it("a worker with the local outbox but without LOCAL_DEVELOPMENT answers only that it is misconfigured", async () => {
    const { LOCAL_DEVELOPMENT: _local, ...deployed } = env;
    for (const path of ["/health", "/v1/dev/mailbox", "/v1/auth/login"]) {
      const ctx = createExecutionContext();
      const res = await createApp().fetch(new Request(`${BASE}${path}`), deployed, ctx);
      await waitOnExecutionContext(ctx);
      expect(res.status, path).toBe(500);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("misconfigured");
    }
  });
});
