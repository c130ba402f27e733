import { Form, Link } from "react-router";
import { Verified } from "../components/marketplace/asks.js";
import { api } from "../lib/api.server.js";
import adminStyles from "../styles/admin.css?url";
import marketplaceStyles from "../styles/marketplace.css?url";
import type { Route } from "./+types/marketplace";

// The marketplace (issue 19): published plugins to browse, search and filter by category. A plugin's
// page says what it asks for and installs it with consent. Private plugins are never here.

export const links: Route.LinksFunction = () => [
  { rel: "stylesheet", href: adminStyles },
  { rel: "stylesheet", href: marketplaceStyles },
];
export const meta: Route.MetaFunction = () => [{ title: "Marketplace · AutopilotCRM" }];

const CATEGORIES = ["channels", "crm-sync", "notifications", "reports", "automation", "other"] as const;
type Category = (typeof CATEGORIES)[number];
const CATEGORY_NAMES: Record<Category, string> = {
  channels: "Channels",
  "crm-sync": "CRM sync",
  notifications: "Notifications",
  reports: "Reports",
  automation: "Automation",
  other: "Other",
};

export async function loader({ request, context }: Route.LoaderArgs) {
  const url = new URL(request.url);
  const q = url.searchParams.get("q")?.trim() || undefined;
  const c = url.searchParams.get("category");
  const category = CATEGORIES.includes(c as Category) ? (c as Category) : undefined;
  const client = api(request, context);
  const [listed, installed] = await Promise.all([
    client.GET("/v1/marketplace/plugins", { params: { query: { q, category } } }),
    client.GET("/v1/plugins/installs"),
  ]);
  if (!listed.data) throw new Response("Could not load the marketplace", { status: listed.response.status });
  return {
    plugins: listed.data.plugins,
    q: q ?? "",
    category: category ?? "",
    // Members who may not list installs see no "installed" marks.
    installed: (installed.data?.installs ?? [])
      .filter((i) => i.source === "marketplace")
      .map((i) => i.pluginId),
  };
}

export default function Marketplace({ loaderData }: Route.ComponentProps) {
  const { plugins, q, category, installed } = loaderData;
  return (
    <>
      <h1>Marketplace</h1>
      <p className="muted">
        Plugins reviewed by the platform's staff: channels, CRM syncs, notifications and reports. You see what
        each asks for before you install it.
      </p>
      <Form method="get" className="filters" role="search" aria-label="Search plugins">
        <div className="field">
          <label htmlFor="market-q">Search</label>
          <input
            id="market-q"
            name="q"
            type="search"
            defaultValue={q}
            placeholder="Telegram, HubSpot, report…"
          />
        </div>
        <div className="field">
          <label htmlFor="market-category">Category</label>
          <select id="market-category" name="category" defaultValue={category}>
            <option value="">All categories</option>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {CATEGORY_NAMES[c]}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Search</button>
      </Form>
      {plugins.length === 0 ? (
        <p className="empty">No plugins match{q ? ` “${q}”` : ""}.</p>
      ) : (
        <ul className="listing-grid" aria-label="Plugins">
          {plugins.map((p) => (
            <li key={p.pluginId} data-listing={p.pluginId}>
              <h3>
                <Link to={`/marketplace/${p.pluginId}`}>{p.name}</Link>
              </h3>
              <span className="small">
                by {p.publisher.name} <Verified verified={p.publisher.verified} />
              </span>
              <p>{p.description}</p>
              <span className="small muted">
                {CATEGORY_NAMES[p.category as Category] ?? p.category} · {p.latestVersion} ·{" "}
                {p.installs === 1 ? "1 workspace" : `${p.installs} workspaces`}
                {installed.includes(p.pluginId) ? " · installed" : ""}
              </span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
