import { describe, expect, it } from "vitest";
import { systemActor } from "../src/domain/crm/actor.js";
import { acceptLeadsCsv, IMPORT_LIMITS } from "../src/domain/leads/import-csv.js";
import { type ImportMessage, requeueStuckImports, runImportSlice } from "../src/domain/leads/import-job.js";
import { createLogger } from "../src/lib/log.js";
import { bearer, call, createKey, ownerDb, signup } from "./helpers.js";

// CSV imports run as queue jobs (issue 15, item 10): the request checks and accepts the file (202),
// slices of rows are written in the background with progress, and an import whose job stopped
// anywhere resumes after the last committed batch: every good row lands exactly once.

const log = createLogger({ test: "import-jobs" });

/** `n` rows, every 10th with a bad email. */
function csv(n: number, tag: string): string {
  const rows = Array.from({ length: n }, (_, i) =>
    i % 10 === 9 ? `Bad ${i},not-an-email,` : `Lead ${i},${tag}-${i}@import.test,Acme ${i % 7}`,
  );
  return ["name,email,company", ...rows].join("\n");
}

const stream = (text: string) => new Blob([text]).stream() as ReadableStream<Uint8Array>;

async function importedEmails(tenantId: string, tag: string): Promise<string[]> {
  const db = ownerDb();
  try {
    const rows = await db.query<{ email: string }>(
      `select c.email from leads l join contacts c on c.id = l.contact_id
       where l.tenant_id = $1 and l.source = 'import' and c.email like $2`,
      [tenantId, `${tag}-%`],
    );
    return rows.map((r) => r.email);
  } finally {
    await db.end();
  }
}

describe("CSV imports as jobs", () => {
  it("is accepted at once (202) and imported in slices with progress; every good row once", async () => {
    const s = await signup("Import job");
    const h = bearer((await createKey(s)).secret);
    const res = await call("/v1/leads/import", {
      rawBody: csv(650, "bg"),
      headers: { ...h, "content-type": "text/csv" },
    });
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    expect(res.json).toMatchObject({ status: "running", totalRows: 650, rows: 0, imported: 0 });
    // The test config slices at 200 rows: progress is seen between slices.
    const seen = new Set<number>();
    let report = res.json;
    for (let i = 0; i < 240 && report.status === "running"; i++) {
      report = (await call(`/v1/leads/imports/${res.json.importId}`, { headers: h })).json;
      seen.add(report.rows);
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(report).toMatchObject({ status: "done", totalRows: 650, rows: 650, imported: 585, failed: 65 });
    expect(report.errors[0]).toEqual({ row: 11, field: "email", message: "email: not a valid email" });
    expect([...seen].some((n) => n > 0 && n < 650)).toBe(true);
    const emails = await importedEmails(s.tenantId, "bg");
    expect(emails).toHaveLength(585);
    expect(new Set(emails).size).toBe(585);
    // The stored file is dropped when the import ends.
    const db = ownerDb();
    try {
      const [row] = await db.query<{ has_data: boolean }>(
        "select data is not null as has_data from lead_imports where id = $1",
        [res.json.importId],
      );
      expect(row?.has_data).toBe(false);
    } finally {
      await db.end();
    }
  });

  it("a job stopped mid-way is found by the stuck sweep and resumes after the committed rows", async () => {
    const s = await signup("Import resume");
    const db = ownerDb();
    try {
      // Accepted, but its queue message was lost (never sent here).
      const accepted = await acceptLeadsCsv(db, systemActor(s.tenantId), stream(csv(350, "rs")));
      const job: ImportMessage = { type: "lead-import", tenantId: s.tenantId, importId: accepted.importId };
      // One slice ran (its 100 rows committed), then the job was lost.
      expect(await runImportSlice(db, job, 100, log)).toEqual({ status: "running", handled: 100 });
      const queued: ImportMessage[] = [];
      const sweep = () => requeueStuckImports(db, async (m) => queued.push(m), log);
      await sweep();
      expect(queued.filter((m) => m.importId === job.importId)).toEqual([]); // not quiet long enough yet
      await db.query("update lead_imports set updated_at = now() - interval '1 hour' where id = $1", [
        job.importId,
      ]);
      await sweep();
      expect(queued.filter((m) => m.importId === job.importId)).toEqual([job]);
      await sweep(); // touched by the re-queue: not queued twice
      expect(queued.filter((m) => m.importId === job.importId)).toHaveLength(1);
      // The re-queued job resumes: the remaining rows, slice after slice.
      let result = { status: "running", handled: 0 };
      for (let i = 0; i < 10 && result.status === "running"; i++)
        result = await runImportSlice(db, job, 100, log);
      expect(result.status).toBe("done");
      const emails = await importedEmails(s.tenantId, "rs");
      expect(emails).toHaveLength(315);
      expect(new Set(emails).size).toBe(315);
      const [row] = await db.query<{ rows: number; imported: number; failed: number }>(
        "select rows, imported, failed from lead_imports where id = $1",
        [job.importId],
      );
      expect(row).toEqual({ rows: 350, imported: 315, failed: 35 });
    } finally {
      await db.end();
    }
  });

  it("two jobs of one import at once (a re-queue racing a slow job) still import each row once", async () => {
    const s = await signup("Import race");
    const db = ownerDb();
    const other = ownerDb();
    try {
      const accepted = await acceptLeadsCsv(db, systemActor(s.tenantId), stream(csv(400, "race")));
      const job: ImportMessage = { type: "lead-import", tenantId: s.tenantId, importId: accepted.importId };
      const runToEnd = async (handle: typeof db) => {
        for (let i = 0; i < 20; i++) {
          const r = await runImportSlice(handle, job, 100, log);
          if (r.status !== "running") return;
        }
      };
      await Promise.all([runToEnd(db), runToEnd(other)]);
      const emails = await importedEmails(s.tenantId, "race");
      expect(emails).toHaveLength(360);
      expect(new Set(emails).size).toBe(360);
    } finally {
      await Promise.all([db.end(), other.end()]);
    }
  });

  it("refuses a file it cannot import before writing anything: too many rows, too large, no rows", async () => {
    const s = await signup("Import limits");
    const db = ownerDb();
    try {
      const actor = systemActor(s.tenantId);
      const small = { ...IMPORT_LIMITS, maxRows: 50, maxBytes: 4000 };
      await expect(acceptLeadsCsv(db, actor, stream(csv(51, "many")), small)).rejects.toThrow(
        /body: more than 50 rows/,
      );
      await expect(
        acceptLeadsCsv(db, actor, stream(csv(49, "big").replace(/Acme/g, "A".repeat(100))), small),
      ).rejects.toMatchObject({ status: 413 });
      await expect(acceptLeadsCsv(db, actor, stream("name,email\n"), small)).rejects.toThrow(/no rows/);
      const [count] = await db.query<{ n: number }>(
        "select count(*)::int as n from lead_imports where tenant_id = $1",
        [s.tenantId],
      );
      expect(count?.n).toBe(0);
    } finally {
      await db.end();
    }
  });
});
