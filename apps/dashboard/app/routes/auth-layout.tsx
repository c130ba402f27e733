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
        Local development: every mail the app sends is in the <Link to="/dev/mailbox">mail outbox</Link>.
      </p>
    </main>
  );
}
