import { TestHost } from "@autopilot/sdk/testing";
import { describe, expect, it } from "vitest";
import plugin from "./index.js";

describe("response-times", () => {
  it("reports reply time by weekday and hour, with the number of replies", async () => {
    const host = new TestHost(plugin);
    host.metrics.set("message.sent:avg", [
      { weekday: 1, hour: 9, value: 42.4 },
      { weekday: 5, hour: 17, value: 300 },
    ]);
    host.metrics.set("message.sent:count", [
      { weekday: 1, hour: 9, value: 12 },
      { weekday: 5, hour: 17, value: 3 },
    ]);
    const out = await host.call({
      kind: "report",
      id: "response_by_hour",
      parameters: { from: "2026-11-01", to: "2026-11-30" },
    });
    expect(out).toEqual({
      ok: true,
      value: {
        rows: [
          { slot: "Mon 09:00", avgSeconds: 42, replies: 12 },
          { slot: "Fri 17:00", avgSeconds: 300, replies: 3 },
        ],
        chart: { type: "bar", x: "slot", y: ["avgSeconds"] },
      },
    });
  });

  it("pivots new leads by month and source", async () => {
    const host = new TestHost(plugin);
    host.metrics.set("lead.created", [
      { period: "2026-10-01", detail: "chat", value: 5 },
      { period: "2026-11-01", detail: "chat", value: 7 },
      { period: "2026-11-01", detail: "import", value: 2 },
    ]);
    const out = await host.call({
      kind: "report",
      id: "leads_by_source",
      parameters: { from: "2026-10-01", to: "2026-11-30" },
    });
    expect(out).toEqual({
      ok: true,
      value: {
        rows: [
          { month: "2026-10", chat: 5, import: 0 },
          { month: "2026-11", chat: 7, import: 2 },
        ],
        chart: { type: "line", x: "month", y: ["chat", "import"] },
      },
    });
  });
});
