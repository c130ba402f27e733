import { call, mailTokenFor, type Session, sessionFrom } from "./helpers.js";

// A developer's and platform staff's side of the marketplace, for its tests: packing a bundle as
// `autopilot-plugin pack` does, a signed-in developer with a CLI token, a verified staff member.

export async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function packed(
  manifest: Record<string, unknown>,
  bundle: string,
  extra: { checks?: unknown[]; readme?: string; changelog?: string } = {},
) {
  return {
    format: 1 as const,
    manifest,
    bundle,
    sha256: await sha256(bundle),
    readme: extra.readme ?? `# ${String(manifest.name)}\n\nDoes one thing well.`,
    checks: extra.checks ?? [
      {
        name: "takes a lead",
        call: { kind: "event", event: { type: "lead.created" } },
        expect: { ok: true },
      },
    ],
    changelog: extra.changelog ?? "",
  };
}

/** A developer: a signed-in user with a profile and a CLI token. */
export async function developer(s: Session, name = "Acme Plugins") {
  const profile = await call("/v1/developer/profile", {
    method: "PUT",
    body: { name, website: "https://plugins.example.com", supportEmail: "help@plugins.example.com" },
    headers: s.auth,
  });
  if (profile.status !== 200) throw new Error(`profile: ${profile.status} ${JSON.stringify(profile.json)}`);
  const token = await call("/v1/developer/tokens", { body: { name: "laptop" }, headers: s.auth });
  if (token.status !== 201) throw new Error(`token: ${token.status} ${JSON.stringify(token.json)}`);
  return {
    session: s,
    token: token.json.token as string,
    cli: { authorization: `Bearer ${token.json.token}` },
  };
}

/** The platform's staff member (PLATFORM_OPERATORS in vitest.config.ts), signed up and verified. */
export async function staff(email = "staff@platform.test"): Promise<Session> {
  const password = "correct horse battery";
  const res = await call("/v1/auth/signup", {
    body: { email, password, name: "Sam Staff", companyName: "Platform" },
  });
  if (res.status !== 201) throw new Error(`staff signup: ${res.status} ${JSON.stringify(res.json)}`);
  const token = await mailTokenFor(email, "verify_email");
  const verified = await call("/v1/auth/verify-email", { body: { token } });
  if (verified.status !== 200) throw new Error(`verify: ${verified.status}`);
  return sessionFrom(res, email, password);
}
