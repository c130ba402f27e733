import { Link, Outlet } from "react-router";

/** The signed-out screens: a centred card under the product name. */
export default function AuthLayout() {
  return (
    <main className="center-page">
      <p className="brand">
        <Link to="/">AutopilotCRM</Link>
      </p>
      <div className="card">
        <Outlet />
      </div>
      <p className="muted small">
        Local development: the mail the app sends is printed in the terminal running <code>npm start</code>,
        and a signed-in workspace finds its own in the Mail outbox.
      </p>
    </main>
  );
}
