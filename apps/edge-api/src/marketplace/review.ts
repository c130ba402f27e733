import { type Manifest, type Permission, PLATFORM_API_VERSION, type ReviewCheck } from "@autopilot/sdk";
import semver from "semver";
import type { Env } from "../env.js";
import { MAX_BUNDLE_BYTES } from "../plugins/bundles.js";
import { hostGranted } from "../plugins/grants.js";
import { callPlugin } from "../plugins/invoke.js";
import { endReview, reviewEntrypoint } from "./review-sandbox.js";

// The automated half of a version's review, run on submission: each check says what it looked at and
// what it found, in words the developer reads. A version goes to platform staff only when all pass.

export type CheckResult = { id: string; title: string; ok: boolean; detail: string };
export type RiskLevel = "low" | "medium" | "high";
export type Review = { checks: CheckResult[]; risk: RiskLevel; riskWords: string };

const CHECK_TIMEOUT_MS = 5_000;
/** Hosts a bundle may name without reaching them (XML namespaces in libraries). */
const NAMESPACE_HOSTS = new Set(["www.w3.org", "schemas.xmlsoap.org", "json-schema.org"]);

const WRITES: Permission[] = [
  "contacts:write",
  "companies:write",
  "leads:write",
  "deals:write",
  "conversations:write",
];
const READS: Permission[] = [
  "contacts:read",
  "companies:read",
  "leads:read",
  "deals:read",
  "conversations:read",
  "events:subscribe",
];

/** How much a plugin could do with what it asks for, in plain words. */
export function riskOf(manifest: Pick<Manifest, "permissions" | "egress">): {
  level: RiskLevel;
  words: string;
} {
  const writes = manifest.permissions.some((p) => WRITES.includes(p));
  const reads = manifest.permissions.some((p) => READS.includes(p));
  const sends = manifest.egress.length > 0;
  const where = sends ? ` and can send data to ${manifest.egress.join(", ")}` : "";
  if (writes || (reads && sends))
    return {
      level: "high",
      words: `High: it can ${writes ? "change" : "read"} your customers' records${where}.`,
    };
  if (reads || sends || manifest.permissions.includes("analytics:read"))
    return {
      level: "medium",
      words: `Medium: it can read ${reads ? "your customers' records" : "your reports' figures"}${where}, and change nothing.`,
    };
  return { level: "low", words: "Low: it reads none of your data and connects nowhere." };
}

/** Host names of http(s) URLs written in the bundle's code. */
export function hostsNamedIn(code: string): string[] {
  const hosts = new Set<string>();
  for (const m of code.matchAll(/https?:\/\/([a-z0-9.-]+\.[a-z]{2,63})(?=[/:"'`?#\s]|$)/gi))
    hosts.add((m[1] as string).toLowerCase());
  return [...hosts].filter((h) => !NAMESPACE_HOSTS.has(h)).sort();
}

export async function reviewVersion(
  env: Pick<Env, "LOADER">,
  input: { manifest: Manifest; code: string; bytes: number; checks: ReviewCheck[] },
): Promise<Review> {
  const { manifest, code } = input;
  const checks: CheckResult[] = [];
  const add = (id: string, title: string, ok: boolean, detail: string) =>
    checks.push({ id, title, ok, detail });

  const range = semver.validRange(manifest.engine);
  add(
    "manifest",
    "Manifest valid and engine range satisfied",
    range !== null && semver.satisfies(PLATFORM_API_VERSION, range),
    range === null
      ? `engine "${manifest.engine}" is not a version range`
      : `engine ${manifest.engine} ${semver.satisfies(PLATFORM_API_VERSION, range) ? "admits" : "does not admit"} the platform API ${PLATFORM_API_VERSION}`,
  );
  add(
    "size",
    "Bundle size",
    input.bytes <= MAX_BUNDLE_BYTES,
    `${input.bytes} bytes (at most ${MAX_BUNDLE_BYTES})`,
  );
  const undeclared = hostsNamedIn(code).filter((h) => !hostGranted(h, manifest.egress));
  add(
    "egress_declared",
    "Names only declared hosts",
    undeclared.length === 0,
    undeclared.length === 0
      ? `declares ${manifest.egress.length ? manifest.egress.join(", ") : "no hosts"}; its code names no other`
      : `its code names ${undeclared.join(", ")}, not in the manifest's egress`,
  );

  const reviewId = crypto.randomUUID();
  const props = { reviewId, permissions: [...manifest.permissions], hosts: [...manifest.egress] };
  const context = (config: Record<string, unknown>) => ({ installId: reviewId, config });
  try {
    const started = performance.now();
    const ms = () => Math.round(performance.now() - started);
    const probe = await callPlugin(
      () => reviewEntrypoint(env, code, props),
      { kind: "schedule", name: "__review_probe__" },
      context({}),
      CHECK_TIMEOUT_MS,
      ms,
    );
    // Any plugin result (its own error included) proves it loaded and speaks the wire contract.
    const loaded = probe.ok || probe.code === "plugin_error";
    add(
      "loads",
      "Loads in the sandbox",
      loaded,
      loaded ? "loaded and answered the platform's call" : `${probe.code}: ${probe.message}`,
    );
    if (!loaded) return finish(checks, manifest);

    let passed = 0;
    const failures: string[] = [];
    for (const check of input.checks) {
      const out = await callPlugin(
        () => reviewEntrypoint(env, code, props),
        check.call,
        context(check.config),
        CHECK_TIMEOUT_MS,
        ms,
      );
      const errorCode = out.ok
        ? undefined
        : out.code === "plugin_error"
          ? out.message.split(":")[0]
          : out.code;
      const good =
        out.ok === check.expect.ok && (check.expect.code === undefined || errorCode === check.expect.code);
      if (good) passed++;
      else
        failures.push(
          `"${check.name}" ${out.ok ? "succeeded" : `failed (${out.code}: ${out.message.slice(0, 200)})`}, expected ${check.expect.ok ? "success" : `an error${check.expect.code ? ` ${check.expect.code}` : ""}`}`,
        );
    }
    add(
      "tests",
      "Its packed checks pass in the sandbox",
      input.checks.length > 0 && failures.length === 0,
      input.checks.length === 0
        ? "the package has no checks (checks.json): the review needs at least one"
        : failures.length === 0
          ? `${passed} of ${input.checks.length} passed`
          : `${passed} of ${input.checks.length} passed; ${failures.join("; ")}`,
    );
  } finally {
    const refused = endReview(reviewId);
    add(
      "egress_runtime",
      "Connects only to declared hosts",
      refused.length === 0,
      refused.length === 0
        ? "every request while checked went to a declared host"
        : `while checked it tried to reach ${refused.join(", ")}`,
    );
  }
  return finish(checks, manifest);
}

function finish(checks: CheckResult[], manifest: Manifest): Review {
  const risk = riskOf(manifest);
  return { checks, risk: risk.level, riskWords: risk.words };
}
