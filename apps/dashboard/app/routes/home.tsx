import { Link, useRouteLoaderData } from "react-router";
import type { Route } from "./+types/home";
import type { loader as layoutLoader } from "./app-layout.js";

export const meta: Route.MetaFunction = () => [{ title: "Home · AutopilotCRM" }];

export default function Home() {
  const layout = useRouteLoaderData<typeof layoutLoader>("routes/app-layout");
  const me = layout?.me;
  return (
    <>
      <h1>Welcome{me?.user ? `, ${me.user.name}` : ""}</h1>
      <p>
        {me?.tenant.name} · your role: {me?.role}
      </p>
      <div className="card">
        <h2>Set up your assistant</h2>
        <p>Add your website, pick the conversations it should handle, and put the chat on your site.</p>
        <Link className="button primary" to="/onboarding">
          Get started
        </Link>
      </div>
    </>
  );
}
