import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import type { Plugin } from "../plugin/define.js";
import { type Manifest, ManifestSchema } from "../plugin/manifest.js";
import { type ReviewCheck, ReviewChecks } from "../plugin/review.js";

// `autopilot-plugin build`: the plugin (src/index.ts, default export of definePlugin) bundled with
// esbuild into one ES module wrapped as the Worker the host loads, and its manifest beside it.

export const BUNDLE_BUDGET_BYTES = 1024 * 1024;

export type Built = { manifest: Manifest; code: string; bytes: number; sha256: string };

export async function buildPlugin(dir: string, entry = "src/index.ts"): Promise<Built> {
  const root = resolve(dir);
  const entryPath = join(root, entry);
  // The manifest as the plugin itself defines it (definePlugin validated it on import).
  const mod = (await import(pathToFileURL(entryPath).href)) as { default?: Plugin };
  if (!mod.default?.manifest) throw new Error(`${entry} must export default definePlugin({ … })`);
  const manifest = ManifestSchema.parse(mod.default.manifest);
  const out = await build({
    stdin: {
      contents: [
        `import plugin from ${JSON.stringify(entryPath)};`,
        `import { pluginWorker } from "@autopilot/sdk/worker";`,
        "export default pluginWorker(plugin);",
      ].join("\n"),
      resolveDir: root,
      sourcefile: "plugin-entry.ts",
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "neutral",
    mainFields: ["module", "main"],
    target: "es2022",
    external: ["cloudflare:workers"],
    minify: true,
    write: false,
    logLevel: "silent",
  });
  const code = out.outputFiles[0]?.text ?? "";
  const bytes = Buffer.byteLength(code);
  if (bytes > BUNDLE_BUDGET_BYTES)
    throw new Error(`the bundle has ${bytes} bytes, over the ${BUNDLE_BUDGET_BYTES}-byte budget`);
  return { manifest, code, bytes, sha256: createHash("sha256").update(code).digest("hex") };
}

/** What `pack` writes: one file a workspace uploads to install the plugin. */
export type PackedPlugin = {
  format: 1;
  manifest: Manifest;
  bundle: string;
  sha256: string;
  readme: string;
  /** The plugin's review checks (checks.json), run by the marketplace in its sandbox. */
  checks: ReviewCheck[];
  /** What changed in this version (CHANGELOG.md's section for it, else empty). */
  changelog: string;
};

/** checks.json, validated: a wrong check fails here rather than in review. */
export function readChecks(dir: string): ReviewCheck[] {
  const file = join(dir, "checks.json");
  if (!existsSync(file)) return [];
  const parsed = ReviewChecks.safeParse(JSON.parse(readFileSync(file, "utf8")));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`checks.json: ${issue?.path.join(".")}: ${issue?.message}`);
  }
  return parsed.data;
}

/** The section of CHANGELOG.md headed by this version ("## 1.2.0" …), if there is one. */
export function readChangelog(dir: string, version: string): string {
  const file = join(dir, "CHANGELOG.md");
  if (!existsSync(file)) return "";
  const sections = readFileSync(file, "utf8").split(/^## /m);
  const section = sections.find((x) => x.split(/\s/, 1)[0]?.replace(/^v/, "") === version);
  return section
    ? section
        .slice(section.indexOf("\n") + 1)
        .trim()
        .slice(0, 5000)
    : "";
}

export function writeBuild(dir: string, built: Built): void {
  mkdirSync(join(dir, "dist"), { recursive: true });
  writeFileSync(join(dir, "dist", "plugin.js"), built.code);
  writeFileSync(join(dir, "dist", "manifest.json"), `${JSON.stringify(built.manifest, null, 2)}\n`);
}

export function pack(dir: string, built: Built): { path: string; packed: PackedPlugin } {
  let readme = "";
  try {
    readme = readFileSync(join(dir, "README.md"), "utf8");
  } catch {
    // A plugin without a README packs with an empty one.
  }
  const packed: PackedPlugin = {
    format: 1,
    manifest: built.manifest,
    bundle: built.code,
    sha256: built.sha256,
    readme,
    checks: readChecks(dir),
    changelog: readChangelog(dir, built.manifest.version),
  };
  const name = built.manifest.id.replace("/", "-");
  const path = join(dir, "dist", `${name}-${built.manifest.version}.plugin.json`);
  mkdirSync(join(dir, "dist"), { recursive: true });
  writeFileSync(path, JSON.stringify(packed));
  return { path, packed };
}
