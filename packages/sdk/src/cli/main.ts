import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { buildPlugin, pack, readChecks, writeBuild } from "./build.js";
import { dev } from "./dev.js";
import { describeVersion, publish, status } from "./publish.js";
import { TEMPLATE_KINDS, type TemplateKind, templateFiles } from "./templates.js";
import { checkInWorkerd } from "./workerd-check.js";

// autopilot-plugin <command>: init, build, test, pack, dev, publish, status. (See packages/sdk/README.md.)

const USAGE = `usage:
  autopilot-plugin init <${TEMPLATE_KINDS.join("|")}> <directory> [--id publisher/name]
  autopilot-plugin build|test|pack [directory, default .]
  autopilot-plugin dev [directory] [--api http://127.0.0.1:8787] [--once]   (AUTOPILOT_API_KEY: an admin key)
  autopilot-plugin publish [directory] [--api URL] [--category C] [--manual-publish]
  autopilot-plugin status [directory | --all] [--api URL]   (AUTOPILOT_DEVELOPER_TOKEN: Developer → Tokens)`;

function developerToken(): string | null {
  const token = process.env.AUTOPILOT_DEVELOPER_TOKEN;
  if (!token) console.error("AUTOPILOT_DEVELOPER_TOKEN: a developer token (dashboard: Developer → Tokens)");
  return token ?? null;
}

function option(argv: string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

function init(kind: string | undefined, target: string | undefined, id: string | undefined): number {
  if (!kind || !(TEMPLATE_KINDS as readonly string[]).includes(kind) || !target) {
    console.error(USAGE);
    return 2;
  }
  const dir = resolve(target);
  if (existsSync(join(dir, "package.json"))) {
    console.error(`${dir} already holds a package`);
    return 1;
  }
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, "-");
  const files = templateFiles(kind as TemplateKind, id ?? `my-company/${name}`, `plugin-${name}`);
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  console.log(`created ${dir}: npm install, then npx autopilot-plugin test ${target}`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, dirArg] = argv;
  if (command === "init") return init(argv[1], argv[2], option(argv, "--id"));
  const dir = resolve(dirArg && !dirArg.startsWith("--") ? dirArg : ".");
  switch (command) {
    case "dev": {
      const key = process.env.AUTOPILOT_API_KEY;
      if (!key) {
        console.error("AUTOPILOT_API_KEY: an admin API key of the workspace (Settings → API keys)");
        return 2;
      }
      await dev({
        dir,
        key,
        api: option(argv, "--api") ?? "http://127.0.0.1:8787",
        watch: !argv.includes("--once"),
      });
      return 0;
    }
    case "publish": {
      const token = developerToken();
      if (!token) return 2;
      const version = await publish({
        dir,
        token,
        api: option(argv, "--api") ?? "http://127.0.0.1:8787",
        category: option(argv, "--category"),
        publishOnApproval: !argv.includes("--manual-publish"),
      });
      console.log(describeVersion(version));
      return version.status === "rejected" ? 1 : 0;
    }
    case "status": {
      const token = developerToken();
      if (!token) return 2;
      const pluginId = argv.includes("--all") ? undefined : (await buildPlugin(dir)).manifest.id;
      const versions = await status(
        { token, api: option(argv, "--api") ?? "http://127.0.0.1:8787" },
        pluginId,
      );
      if (versions.length === 0) console.log("nothing submitted yet");
      for (const v of versions) console.log(describeVersion(v));
      return 0;
    }
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
      const passed = await checkInWorkerd(built.code, readChecks(dir), built.manifest);
      console.log(`bundle ok: ${built.bytes} bytes, loaded in workerd and answering the wire contract`);
      console.log(
        passed.length
          ? `checks.json: ${passed.length} passed in workerd, as the marketplace's review runs them`
          : "checks.json: none (the marketplace's review needs at least one to publish)",
      );
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
