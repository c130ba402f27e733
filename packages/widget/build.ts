import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

// Builds src/main.ts into one minified script (dist/widget.js) and the module edge-api imports to
// serve it (dist/script.js: `export default "<the script>"`), so the worker needs no bundler rule.

const HERE = dirname(fileURLToPath(import.meta.url));

export type WidgetBuild = { code: string; bytes: number; gzipBytes: number };

export async function buildWidget(options: { write?: boolean } = {}): Promise<WidgetBuild> {
  const result = await build({
    entryPoints: [join(HERE, "src", "main.ts")],
    bundle: true,
    minify: true,
    format: "iife",
    // Customers' visitors use old phones too: syntax every browser of the last five years runs (ES2020).
    target: "es2020",
    write: false,
    legalComments: "none",
    logLevel: "silent",
  });
  const code = result.outputFiles[0]?.text ?? "";
  if (!code) throw new Error("widget build produced no output");
  if (options.write) {
    const dist = join(HERE, "dist");
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, "widget.js"), code);
    writeFileSync(join(dist, "script.js"), `export default ${JSON.stringify(code)};\n`);
  }
  return { code, bytes: Buffer.byteLength(code), gzipBytes: gzipSync(code, { level: 9 }).length };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const built = await buildWidget({ write: true });
  console.log(`widget.js: ${built.bytes} bytes, ${built.gzipBytes} bytes gzip`);
}
