import { useMemo } from "react";
import { Form, Link, NavLink, Outlet, useNavigation } from "react-router";
import { FormatsContext, formatsFor } from "../lib/format.js";
import { allows, NAV, type Role } from "../lib/nav.js";
import { requireMe } from "../lib/session.server.js";
import type { Route } from "./+types/app-layout";

// Every signed-in screen sits in this layout: its loader fetches the caller once (children read it
// with useRouteLoaderData("routes/app-layout")) and sends signed-out visitors to /login.
export async function loader({ request, context }: Route.LoaderArgs) {
  return { me: await requireMe(request, context) };
}

export default function AppLayout({ loaderData }: Route.ComponentProps) {
  const { me } = loaderData;
  const loading = useNavigation().state === "loading";
  const formats = useMemo(
    () => formatsFor(me.tenant.locale, me.tenant.timeZone),
    [me.tenant.locale, me.tenant.timeZone],
  );
  return (
    <FormatsContext.Provider value={formats}>
      <div className="app">
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <header className="topbar">
          <Link to="/" className="brand-link">
            AutopilotCRM
          </Link>
          <span className="workspace" title="Workspace">
            {me.tenant.name}
          </span>
          <span className="user">{me.user?.name ?? "API key"}</span>
          <Form method="post" action="/logout">
            <button type="submit" className="link-button">
              Log out
            </button>
          </Form>
        </header>
        <nav className="sidenav" aria-label="Main">
          <ul>
            {NAV.filter((item) => allows(me.role as Role, item.minRole)).map((item) => (
              <li key={item.to}>
                <NavLink to={item.to} end={item.to === "/"}>
                  {item.label}
                </NavLink>
              </li>
            ))}
            {me.platformOperator ? (
              <li>
                <NavLink to="/operator">Plugin review</NavLink>
              </li>
            ) : null}
          </ul>
        </nav>
        <main id="main" className="content" aria-busy={loading || undefined} tabIndex={-1}>
          {me.user && !me.user.emailVerified ? (
            <p className="notice" role="status">
              Confirm your email address: we sent a link to {me.user.email}. (Locally it is in the{" "}
              <Link to={`/dev/mailbox?to=${encodeURIComponent(me.user.email)}`}>mail outbox</Link>.)
            </p>
          ) : null}
          <Outlet />
        </main>
      </div>
    </FormatsContext.Provider>
  );
}
