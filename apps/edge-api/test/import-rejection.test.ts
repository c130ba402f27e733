import { describe, expect, it } from "vitest";
import { systemActor } from "../src/domain/crm/actor.js";
import { acceptLeadsCsv } from "../src/domain/leads/import-csv.js";
import { bearer, call, createKey, ownerDb, signup } from "./helpers.js";

// A rejected CSV import (issue 15, item 9) cancels the body it did not read, so the connection is not
// left stalled for the next request; an early refusal of any route does the same.

/** A CSV body that records whether its reader cancelled it, with `rows` rows after `header`. */
function trackedCsv(header: string, rows: number, row: (i: number) => string) {
  const state = { pulled: 0, cancelled: false };
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (state.pulled === 0) controller.enqueue(encoder.encode(`${header}\n`));
      else if (state.pulled <= rows) controller.enqueue(encoder.encode(`${row(state.pulled)}\n`));
      else controller.close();
      state.pulled++;
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

describe("rejected imports", () => {
  it("a bad header or an unreadable row cancels the unread rest of the body", async () => {
    const s = await signup("Import rejection");
    const actor = systemActor(s.tenantId);
    const db = ownerDb();
    try {
      const badHeader = trackedCsv("first,second", 3000, (i) => `a${i},b${i}`);
      await expect(acceptLeadsCsv(db, actor, badHeader.stream)).rejects.toThrow(/email or a phone/);
      expect(badHeader.state.cancelled).toBe(true);
      expect(badHeader.state.pulled).toBeLessThan(3000);

      // A row the parser cannot read refuses the whole file, naming the line; the rest is not read.
      const nul = trackedCsv("name,email", 3000, () => "\u0000".repeat(20_000));
      await expect(acceptLeadsCsv(db, actor, nul.stream)).rejects.toThrow(/line 2: field too long/);
      expect(nul.state.cancelled).toBe(true);
      expect(nul.state.pulled).toBeLessThan(3000);
    } finally {
      await db.end();
    }
  });

  it("over HTTP the refusal is a 400 and the next requests are answered at once", async () => {
    const s = await signup("Import HTTP");
    const h = bearer((await createKey(s)).secret);
    const rows = Array.from({ length: 3000 }, (_, i) => `a${i},b${i}`).join("\n");
    const bad = await call("/v1/leads/import", {
      rawBody: `first,second\n${rows}`,
      headers: { ...h, "content-type": "text/csv" },
    });
    expect(bad.status).toBe(400);
    const nul = await call("/v1/leads/import", {
      rawBody: "\u0000".repeat(200_000),
      headers: { ...h, "content-type": "text/csv" },
    });
    expect(nul.status).toBe(400);
    const wrongType = await call("/v1/leads/import", {
      rawBody: rows,
      headers: { ...h, "content-type": "text/plain" },
    });
    expect(wrongType.status).toBe(415);
    const next = await Promise.race([
      call("/v1/leads", { headers: h }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("next request stalled")), 5000)),
    ]);
    expect(next.status).toBe(200);
  });
});
