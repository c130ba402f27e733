import { SELF } from "cloudflare:test";
import { expect, it } from "vitest";

it("health answers with the database", async () => {
  const res = await SELF.fetch("https://api.test/health");
  expect(await res.json()).toEqual({ status: "ok", database: "ok" });
});
