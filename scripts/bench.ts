// `npm run bench` runs every registered benchmark; `npm run bench -- <name>…` runs the named ones.
// Each prints its setup and figures, then one JSON line {"name", "metrics"}. BENCH_SECONDS sets how
// long each case is measured (default 10). Benchmarks are scripts, not tests (DESIGN §6).
import { cpus, loadavg, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { benches } from "./bench/registry.js";
import { runMain } from "./lib/run-main.js";
import { wranglerEnv } from "./lib/wrangler.js";

const root = fileURLToPath(new URL("..", import.meta.url));
// wrangler (read in-process for the worker's configuration): offline, quiet, nothing in the home dir.
Object.assign(process.env, wranglerEnv(root));
const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const maxCount = 200_000;

async function main(): Promise<number> {
  const names = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const unknown = names.filter((n) => !benches.some((b) => b.name === n));
  if (unknown.length > 0 || !(seconds > 0 && seconds <= 600)) {
    console.error(`unknown benchmark: ${unknown.join(", ") || "(none)"}; BENCH_SECONDS must be in (0, 600]`);
    console.error(`available: ${benches.map((b) => `${b.name} (${b.description})`).join("; ")}`);
    return 2;
  }
  const selected = names.length > 0 ? benches.filter((b) => names.includes(b.name)) : benches;
  const cpu = cpus();
  console.log(
    `setup: node ${process.version}, ${process.platform}/${process.arch}, ${cpu.length} CPUs (${cpu[0]?.model.trim() ?? "?"}), ` +
      `${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, load average ${loadavg()[0]?.toFixed(1)}, ${seconds} s per case, ` +
      `database: ${process.env.DATABASE_URL ? "PostgreSQL server from DATABASE_URL" : "PGlite in memory"}`,
  );
  let failed = 0;
  for (const bench of selected) {
    console.log(`\n== ${bench.name}: ${bench.description}`);
    const t0 = performance.now();
    try {
      const metrics = await bench.run({ root, seconds, maxCount });
      console.log(`  (took ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      console.log(JSON.stringify({ name: bench.name, metrics }));
    } catch (error) {
      // One broken benchmark does not hide the others' figures; the exit code still reports it.
      failed++;
      console.error(`  ${bench.name} FAILED:`, error);
    }
  }
  if (failed > 0) return 1;
  return 0;
}

runMain(main);
