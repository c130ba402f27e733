import { AppError } from "../domain/errors.js";
import type { Env } from "../env.js";

// Plugin bundles in R2 under their sha256: the same bytes are stored once, an install names the exact
// code it runs, and a bundle read back is checked against its name before it is loaded.

export const MAX_BUNDLE_BYTES = 1024 * 1024;

export async function sha256Of(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function putBundle(env: Pick<Env, "PLUGIN_BUNDLES">, code: string): Promise<string> {
  const bytes = new TextEncoder().encode(code);
  if (bytes.length > MAX_BUNDLE_BYTES)
    throw new AppError("too_large", `bundle: at most ${MAX_BUNDLE_BYTES} bytes`);
  const sha = await sha256Of(bytes);
  await env.PLUGIN_BUNDLES.put(`bundles/${sha}.js`, bytes, { sha256: sha });
  return sha;
}

export async function getBundle(env: Pick<Env, "PLUGIN_BUNDLES">, sha: string): Promise<string> {
  const object = await env.PLUGIN_BUNDLES.get(`bundles/${sha}.js`);
  if (!object) throw new AppError("not_found", `bundle ${sha} is missing`);
  const bytes = new Uint8Array(await object.arrayBuffer());
  if ((await sha256Of(bytes)) !== sha)
    throw new AppError("internal", `bundle ${sha} does not match its hash`);
  return new TextDecoder().decode(bytes);
}
