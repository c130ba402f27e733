import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { buildPlugin, pack } from "./build.js";
import { TEMPLATE_KINDS } from "./templates.js";
import { checkInWorkerd } from "./workerd-check.js";

// The CLI as a developer runs it: `init` writes a plugin that passes its own test with `test`, and
// `pack` writes the file a workspace installs (its checksum over the bundle).

const sdk = fileURLToPath(new URL("../..", import.meta.url));
const scratch = join(sdk, ".scratch", `cli-${process.pid}`);
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [join(sdk, "bin", "autopilot-plugin.mjs"), ...args], {
    encoding: "utf8",
    timeout: 120_000,
  });

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("autopilot-plugin", () => {
  it.each(TEMPLATE_KINDS)(
    "init %s → test passes → pack",
    async (kind) => {
      const dir = join(scratch, kind);
      const created = cli("init", kind, dir, "--id", `acme/${kind}-probe`);
      expect(created.status, created.stderr).toBe(0);
      const tested = cli("test", dir);
      expect(tested.status, `${tested.stdout}\n${tested.stderr}`).toBe(0);
      expect(tested.stdout).toMatch(/1 passed/);
      expect(tested.stdout).toMatch(/loaded in workerd and answering the wire contract/);
      expect(tested.stdout).toMatch(/checks\.json: \d+ passed in workerd/);
      const built = await buildPlugin(dir);
      expect(built.manifest.id).toBe(`acme/${kind}-probe`);
      // One ES module whose only import is the runtime's WorkerEntrypoint.
      const imports = [...built.code.matchAll(/\bimport\s*\{[^}]*\}\s*from\s*"([^"]+)"/g)].map((m) => m[1]);
      expect(imports).toEqual(["cloudflare:workers"]);
      const { path, packed } = pack(dir, built);
      expect(JSON.parse(readFileSync(path, "utf8"))).toEqual(packed);
    },
    180_000,
  );

  it("the workerd check refuses a bundle that does not load or does not speak the wire contract", async () => {
    const garbage = `import { WorkerEntrypoint } from "cloudflare:workers";
      export default class extends WorkerEntrypoint { async invoke() { return { hello: "world" }; } }`;
    await expect(checkInWorkerd(garbage)).rejects.toThrow(/not a plugin result/);
    await expect(checkInWorkerd("export default {")).rejects.toThrow(/did not load in workerd/);
    // A check that expects success from a call the plugin refuses, and one that reaches an undeclared host.
    const picky = `import { WorkerEntrypoint } from "cloudflare:workers";
      export default class extends WorkerEntrypoint { async invoke(call) {
        if (call.kind === "action") { await fetch("https://elsewhere.example.com/x"); return { ok: true, value: 1 }; }
        return { ok: false, error: { code: "not_handled", message: call.kind } }; } }`;
    const wants = (call: unknown) =>
      [{ name: "wants success", call, config: {}, expect: { ok: true } }] as never;
    await expect(checkInWorkerd(picky, wants({ kind: "schedule", name: "x" }))).rejects.toThrow(
      /"wants success" failed \(not_handled/,
    );
    await expect(checkInWorkerd(picky, wants({ kind: "action", name: "a", input: {} }))).rejects.toThrow(
      /tried to reach elsewhere\.example\.com/,
    );
  }, 60_000);

  it("refuses an unknown kind and a taken directory, and says how to use it", () => {
    const unknown = cli("init", "teleport", join(scratch, "x"));
    expect([unknown.status, unknown.stderr]).toEqual([2, expect.stringMatching(/usage:/)]);
    const nothing = cli("frobnicate");
    expect(nothing.status).toBe(2);
  });
});
