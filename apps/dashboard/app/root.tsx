import { isRouteErrorResponse, Links, Meta, Outlet, Scripts, ScrollRestoration } from "react-router";
import type { Route } from "./+types/root";
import stylesheet from "./app.css?url";

const FAVICON =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><title>AutopilotCRM</title><rect width="32" height="32" rx="7" fill="#1d4ed8"/><path d="M9 22 16 8l7 14h-4l-3-6.5L13 22z" fill="#fff"/></svg>';

export const links: Route.LinksFunction = () => [
  { rel: "stylesheet", href: stylesheet },
  // Inline (public/favicon.svg is the same): one request fewer on every cold load.
  { rel: "icon", href: `data:image/svg+xml,${encodeURIComponent(FAVICON)}`, type: "image/svg+xml" },
];

export function Layout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  const title = isRouteErrorResponse(error) ? `${error.status} ${error.statusText}` : "Something went wrong";
  const detail = isRouteErrorResponse(error)
    ? error.status === 404
      ? "This page does not exist."
      : String(error.data ?? "")
    : "The error was logged. Try again, or go back to the start.";
  return (
    <main className="center-page">
      <div className="card">
        <h1>{title}</h1>
        <p>{detail}</p>
        <p>
          <a href="/">Back to the dashboard</a>
        </p>
      </div>
    </main>
  );
}
