import { type CrawlProblem, pageReasonText, shortUrl } from "../lib/crawl.js";

/** The pages a crawl could not read, each with why; open by default when nothing was read. */
export function CrawlProblems({
  problems,
  start,
  open,
}: {
  problems: CrawlProblem[];
  start?: string | null | undefined;
  open: boolean;
}) {
  if (problems.length === 0) return null;
  return (
    <details className="crawl-problems" open={open} data-crawl-problems="">
      <summary>
        {problems.length === 1 ? "1 page was not read" : `${problems.length} pages were not read`}
      </summary>
      <ul>
        {problems.map((p) => (
          <li key={p.url}>
            <span className="chunk-url">{shortUrl(p.url, start)}</span>:{" "}
            <span data-reason={p.reason ?? ""}>{pageReasonText(p.reason)}</span>
            {p.status === "skipped" ? <span className="muted"> (skipped)</span> : null}
          </li>
        ))}
      </ul>
    </details>
  );
}
