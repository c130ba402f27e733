// robots.txt (RFC 9309): the group for our user agent, or "*", decides; the longest matching rule
// wins, Allow wins a tie. Unreachable or 4xx robots.txt means everything is allowed; 5xx means
// nothing is (the RFC's "complete disallow" on server errors).

export const CRAWLER_AGENT = "AutopilotCRM-KnowledgeBot";

export type RobotsRules = { allow: string[]; disallow: string[]; crawlDelaySeconds?: number };

export const ALLOW_ALL: RobotsRules = { allow: [], disallow: [] };
export const DISALLOW_ALL: RobotsRules = { allow: [], disallow: ["/"] };

export function parseRobots(text: string, agent = CRAWLER_AGENT): RobotsRules {
  type Group = { agents: string[]; rules: RobotsRules };
  const groups: Group[] = [];
  let current: Group | null = null;
  let lastWasAgent = false;
  for (const rawLine of text.split(/\r?\n/).slice(0, 5000)) {
    const line = rawLine.replace(/#.*$/, "").trim();
    const colon = line.indexOf(":");
    if (colon < 0) continue;
    const key = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (key === "user-agent") {
      if (!current || !lastWasAgent) {
        current = { agents: [], rules: { allow: [], disallow: [] } };
        groups.push(current);
      }
      current.agents.push(value.toLowerCase());
      lastWasAgent = true;
      continue;
    }
    lastWasAgent = false;
    if (!current) continue;
    if (key === "allow" && value) current.rules.allow.push(value);
    else if (key === "disallow" && value) current.rules.disallow.push(value);
    else if (key === "crawl-delay" && Number.isFinite(Number(value)))
      current.rules.crawlDelaySeconds = Number(value);
  }
  const name = agent.toLowerCase();
  const mine = groups.filter((g) => g.agents.some((a) => a !== "*" && name.includes(a)));
  const chosen = mine.length > 0 ? mine : groups.filter((g) => g.agents.includes("*"));
  return chosen.reduce<RobotsRules>(
    (acc, g) => ({
      allow: [...acc.allow, ...g.rules.allow],
      disallow: [...acc.disallow, ...g.rules.disallow],
      crawlDelaySeconds: g.rules.crawlDelaySeconds ?? acc.crawlDelaySeconds,
    }),
    { allow: [], disallow: [] },
  );
}

function ruleLength(rule: string, path: string): number {
  const anchored = rule.endsWith("$");
  const body = (anchored ? rule.slice(0, -1) : rule)
    .replace(/[.+?^{}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*");
  return new RegExp(`^${body}${anchored ? "$" : ""}`).test(path) ? rule.length : -1;
}

export function robotsAllows(rules: RobotsRules, url: URL): boolean {
  const path = url.pathname + url.search;
  const best = (list: string[]) => Math.max(-1, ...list.map((r) => ruleLength(r, path)));
  const allow = best(rules.allow);
  const disallow = best(rules.disallow);
  return disallow < 0 || allow >= disallow;
}
