import { Form } from "react-router";
import type { components } from "../lib/api-schema.js";
import { CRAWLING, sourceErrorText } from "../lib/crawl.js";
import { useFormats } from "../lib/format.js";
import { ConfirmForm } from "./confirm-form.js";
import { CrawlProblems } from "./crawl-problems.js";
import { RowErrors } from "./row-errors.js";

// One knowledge source as a card (its status, crawl progress and problems, refresh and delete), and
// what a catalogue upload reports about its rows.

type Source = components["schemas"]["KnowledgeSource"];

/** What a catalogue upload says about its rows (the 201's `report`, or a 422's details). */
export type CatalogueReport = {
  rows: number;
  indexed: number;
  failed: number;
  errors: { row: number; field: string; message: string }[];
};

export const isReport = (value: unknown): value is CatalogueReport =>
  typeof value === "object" && value !== null && Array.isArray((value as CatalogueReport).errors);

export function SourceCard({ source: s, error }: { source: Source; error: string | undefined }) {
  const { when } = useFormats();
  const p = s.progress;
  const done = p ? p.fetched + p.skipped + p.failed : 0;
  const total = p ? done + p.queued : 0;
  const crawling = CRAWLING.has(s.status);
  const start = (s.config as { startUrl?: string } | null)?.startUrl;
  return (
    <li className="card source">
      <div className="page-head">
        <div>
          <strong>{s.name}</strong> <span className="badge">{s.kind}</span>{" "}
          <span className={`badge status-${s.status}`} data-source-status={s.status}>
            {s.status}
          </span>
          {start ? <div className="small muted chunk-url">{start}</div> : null}
        </div>
        <div className="step-tools">
          {s.kind === "website" ? (
            <Form method="post">
              <input type="hidden" name="intent" value="refresh" />
              <input type="hidden" name="id" value={s.id} />
              <button type="submit" disabled={crawling} aria-label={`Refresh ${s.name} now`}>
                Refresh now
              </button>
            </Form>
          ) : null}
          <ConfirmForm
            intent="delete"
            fields={{ id: s.id }}
            question={`Delete “${s.name}” and its ${s.chunkCount} chunks?`}
            label={`Delete ${s.name}`}
          >
            Delete
          </ConfirmForm>
        </div>
      </div>
      {/* A website's progress row is always there (no jump when a crawl starts or ends). */}
      <div className={s.kind === "website" ? "crawl-progress" : "source-facts"}>
        {s.kind === "website" ? (
          <progress
            max={Math.max(1, total)}
            value={crawling ? done : total}
            aria-label={`Crawl progress of ${s.name}`}
          />
        ) : null}
        <span className="small">
          {crawling && p
            ? `${done} of ${total} pages (${p.failed} failed, ${p.skipped} skipped)`
            : `${s.kind === "website" ? `${plural(s.pageCount, "page")} · ` : ""}${plural(s.chunkCount, "chunk")}${s.lastRunFinishedAt ? ` · updated ${when(s.lastRunFinishedAt)}` : ""}`}
        </span>
      </div>
      {s.lastError ? (
        <p className="field-error" data-source-error={s.lastError}>
          {sourceErrorText(s.lastError)}
        </p>
      ) : null}
      {!crawling && p ? (
        <CrawlProblems problems={p.problems} start={start} open={s.status === "failed"} />
      ) : null}
      {error ? (
        <p className="field-error" role="alert">
          {error}
        </p>
      ) : null}
    </li>
  );
}

export /** A catalogue upload's outcome: how many rows became products, and each rejected row with its reason. */
function RowReport({ report }: { report: CatalogueReport }) {
  return (
    <div className="row-report" role="status" data-catalogue-report="">
      <p className="small">
        {plural(report.rows, "row")}: {plural(report.indexed, "product")} indexed
        {report.failed ? `, ${report.failed} rejected` : ""}.
      </p>
      {report.errors.length ? (
        <div className="table-wrap">
          <RowErrors
            errors={report.errors}
            caption="Rejected rows"
            captionHidden
            rowLabel="Row"
            className="table"
          />
          {report.failed > report.errors.length ? (
            <p className="small muted">The first {report.errors.length} rejected rows are shown.</p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
