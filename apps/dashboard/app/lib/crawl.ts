// What a website crawl's codes mean, in words: why a source failed (lastError) and why a page was not
// read (a progress problem's reason). The API speaks in codes; this is the one place they become text.

/** A source in one of these states is being read: its page refreshes until it is done. */
export const CRAWLING = new Set(["queued", "crawling", "running", "pending"]);

const SOURCE_ERRORS: Record<string, string> = {
  nothing_fetched: "No page of this website could be read.",
  private_host: "This address is on a private network or this machine; only public websites can be read.",
  invalid_config: "The source's settings are not valid. Delete it and add the website again.",
};

const PAGE_REASONS: Record<string, string> = {
  timeout: "the site took too long to answer",
  network_error: "the site could not be reached",
  robots: "the site's robots.txt asks crawlers not to read it",
  redirect_loop: "it redirects in a loop",
  redirect_off_origin: "it redirects to another website",
  too_many_redirects: "too many redirects",
  bad_redirect: "it redirects to an invalid address",
  too_large: "larger than the page size limit",
  content_type: "not a web page (a PDF, an image…)",
  noindex: "the page asks not to be indexed",
  off_policy: "outside the include and exclude rules",
};

export function sourceErrorText(code: string | null | undefined): string | null {
  if (!code) return null;
  return SOURCE_ERRORS[code] ?? `The last run stopped: ${code.replace(/_/g, " ")}.`;
}

export function pageReasonText(reason: string | null | undefined): string {
  if (!reason) return "unknown reason";
  const http = /^http_(\d{3})$/.exec(reason);
  if (http) return http[1] === "404" ? "not found (HTTP 404)" : `the site answered HTTP ${http[1]}`;
  return PAGE_REASONS[reason] ?? reason.replace(/_/g, " ");
}

export type CrawlProblem = { url: string; status: "skipped" | "failed"; reason: string | null };

/** The page's address without the site's origin when it is the source's own ("/pricing"). */
export function shortUrl(url: string, start?: string | null): string {
  try {
    const u = new URL(url);
    return start && new URL(start).origin === u.origin ? u.pathname + u.search : url;
  } catch {
    return url;
  }
}
