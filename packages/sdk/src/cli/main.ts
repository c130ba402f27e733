import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { buildPlugin, pack, writeBuild } from "./build.js";

// autopilot-plugin <command> [dir]: build, test, pack. (See packages/sdk/README.md.)

const USAGE = `usage: autopilot-plugin <build|test|pack> [plugin directory, default .]`;

async function main(argv: string[]): Promise<number> {
  const [command, dirArg] = argv;
  const dir = resolve(dirArg ?? ".");
  switch (command) {
    case "build": {
      const built = await buildPlugin(dir);
      writeBuild(dir, built);
      console.log(
        `built ${built.manifest.id}@${built.manifest.version}: dist/plugin.js, ${built.bytes} bytes`,
      );
      return 0;
    }
    case "pack": {
      const built = await buildPlugin(dir);
      writeBuild(dir, built);
      const { path } = pack(dir, built);
      console.log(`packed ${path} (sha256 ${built.sha256})`);
      return 0;
    }
    case "test": {
      const run = spawnSync("npx", ["vitest", "run"], { cwd: dir, stdio: "inherit" });
      if (run.status !== 0) return run.status ?? 1;
      const built = await buildPlugin(dir);
      console.log(`bundle ok: ${built.bytes} bytes`);
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
