// `npm ci` must work on every machine the README allows, so the lockfile is checked before the tests:
// 1. no locked package declares an `engines.node` that excludes a Node version the project supports
//    (package.json's own engines: 20.19 and 22.13 are both checked);
// 2. the native packages chosen per platform (biome, turbo, esbuild, workerd) are locked for macOS,
//    Linux and Windows, not only for the machine that last wrote the lockfile.
// Prints one line per problem and exits 1 when there is any.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import semver from "semver";

const root = fileURLToPath(new URL("..", import.meta.url));
const lock = JSON.parse(readFileSync(`${root}package-lock.json`, "utf8")) as {
  packages: Record<string, { version?: string; engines?: unknown; optional?: boolean }>;
};
const SUPPORTED_NODE = ["20.19.0", "22.13.0"];
/** Packages whose platform builds must all be locked: [name prefix, platforms wanted]. */
const PLATFORM_PACKAGES: [string, string[]][] = [
  ["@biomejs/cli-", ["darwin", "linux", "win32"]],
  ["@turbo/", ["darwin", "linux", "windows"]],
];

const problems: string[] = [];
for (const [path, pkg] of Object.entries(lock.packages)) {
  const engines = pkg.engines as { node?: unknown } | undefined;
  if (!path || typeof engines?.node !== "string") continue;
  for (const node of SUPPORTED_NODE)
    if (!semver.satisfies(node, engines.node))
      problems.push(`${path}@${pkg.version}: engines.node "${engines.node}" excludes Node ${node}`);
}
const locked = Object.keys(lock.packages).map((p) => p.replace(/^.*node_modules\//, ""));
for (const [prefix, platforms] of PLATFORM_PACKAGES) {
  if (!locked.some((name) => name.startsWith(prefix))) continue;
  for (const platform of platforms)
    if (!locked.some((name) => name.startsWith(`${prefix}${platform}`)))
      problems.push(`package-lock.json has no ${prefix}${platform}* build (npm ci would fail there)`);
}
for (const p of problems) console.error(`lockfile: ${p}`);
console.log(
  `lockfile: ${problems.length} problem(s) in ${Object.keys(lock.packages).length} locked packages`,
);
process.exit(problems.length ? 1 : 0);
