import { NavLink, Outlet } from "react-router";
import { requireAdmin } from "../lib/admin.server.js";
import adminStyles from "../styles/admin.css?url";
import type { Route } from "./+types/settings";

// The settings area: admins and owners only (nav entry hidden below admin, and this loader refuses).
export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: adminStyles }];

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireAdmin(request, context);
  return null;
}

const TABS = [
  { to: "/settings", label: "Team", end: true },
  { to: "/settings/assignment", label: "Assignment" },
  { to: "/settings/pipelines", label: "Pipelines" },
  { to: "/settings/api-keys", label: "API keys" },
  { to: "/settings/plugins", label: "Plugins" },
  { to: "/settings/webhooks", label: "Webhooks" },
  { to: "/settings/ai", label: "AI provider" },
  { to: "/settings/hours", label: "Business hours" },
  { to: "/settings/workspace", label: "Workspace" },
];

export default function Settings() {
  return (
    <>
      <h1>Settings</h1>
      <nav className="tabs" aria-label="Settings">
        <ul>
          {TABS.map((t) => (
            <li key={t.to}>
              <NavLink to={t.to} end={t.end}>
                {t.label}
              </NavLink>
            </li>
          ))}
        </ul>
      </nav>
      <Outlet />
    </>
  );
}
