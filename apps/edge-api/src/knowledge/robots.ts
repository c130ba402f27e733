import robotsParser from "robots-parser";

// robots.txt (RFC 9309), read by robots-parser: the group for our user agent, or "*", decides; the
// longest matching rule wins, Allow wins a tie; `*` and `$` as the RFC says. Unreachable or 4xx
// robots.txt means everything is allowed; 5xx means nothing is (the RFC's "complete disallow").

export const CRAWLER_AGENT = "AutopilotCRM-KnowledgeBot";

/** One site's rules for our crawler. */
export type RobotsRules = {
  /** Whether a URL of that site may be fetched. */
  allows(url: URL): boolean;
  crawlDelaySeconds?: number;
};

export const ALLOW_ALL: RobotsRules = { allows: () => true };
export const DISALLOW_ALL: RobotsRules = { allows: () => false };

// Rules are per site and asked only about that site's URLs: they are parsed for a fixed origin and
// asked about the path, so a caller never gets "unknown" for a URL written with another host form.
const ORIGIN = "https://site.invalid";

export function parseRobots(text: string, agent = CRAWLER_AGENT): RobotsRules {
  // Bounded like the fetch: robots.txt beyond 5,000 lines is ignored.
  const robots = robotsParser(`${ORIGIN}/robots.txt`, text.split(/\r?\n/).slice(0, 5000).join("\n"));
  const delay = robots.getCrawlDelay(agent);
  return {
    allows: (url) => robots.isAllowed(`${ORIGIN}${url.pathname}${url.search}`, agent) !== false,
    ...(delay === undefined ? {} : { crawlDelaySeconds: delay }),
  };
}
