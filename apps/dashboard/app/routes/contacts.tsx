import { Form, Link } from "react-router";
import { FilterInput, FilterSelect } from "../components/filters.js";
import { ListBody, NextPage, StackedTable } from "../components/list-page.js";
import { api } from "../lib/api.server.js";
import { searchPageQuery } from "../lib/crm.js";
import { errorMessage } from "../lib/crm.server.js";
import { useFormats } from "../lib/format.js";
import crmStyles from "../styles/crm.css?url";
import type { Route } from "./+types/contacts";

export const meta: Route.MetaFunction = () => [{ title: "Contacts · AutopilotCRM" }];
export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: crmStyles }];

const SORTS = ["updated_at", "created_at", "name"] as const;

export async function loader({ request, context }: Route.LoaderArgs) {
  const params = new URL(request.url).searchParams;
  const client = api(request, context);
  const sort = SORTS.find((s) => s === params.get("sort")) ?? "updated_at";
  const [list, companies] = await Promise.all([
    client.GET("/v1/contacts", {
      params: {
        query: { ...searchPageQuery(params, sort), companyId: params.get("companyId") || undefined },
      },
    }),
    client.GET("/v1/companies", { params: { query: { sort: "name", order: "asc", limit: 200 } } }),
  ]);
  return {
    contacts: list.data?.contacts ?? [],
    nextCursor: list.data?.nextCursor ?? null,
    error: list.data ? null : errorMessage(list.error, "The contacts could not be loaded."),
    companies: (companies.data?.companies ?? []).map((c) => ({ id: c.id, name: c.name })),
  };
}

export default function Contacts({ loaderData }: Route.ComponentProps) {
  const { day } = useFormats();
  const { contacts, nextCursor, error, companies } = loaderData;
  const companyName = (id: string | null) => companies.find((c) => c.id === id)?.name;
  return (
    <>
      <div className="page-head">
        <h1>Contacts</h1>
        <Link to="/companies">Companies</Link>
      </div>
      <Form method="get" className="filters" role="search" aria-label="Filter contacts">
        <FilterInput id="f-q" name="q" type="search" label="Search name or email" className="grow" />
        <FilterInput id="f-tag" name="tag" label="Tag" />
        <FilterSelect
          id="f-company"
          name="companyId"
          label="Company"
          options={[{ value: "", label: "Any" }, ...companies.map((c) => ({ value: c.id, label: c.name }))]}
        />
        <FilterSelect
          id="f-sort"
          name="sort"
          label="Sort by"
          fallback="updated_at"
          options={[
            { value: "updated_at", label: "Recently updated" },
            { value: "created_at", label: "Newest" },
            { value: "name", label: "Name" },
          ]}
        />
        <button type="submit">Filter</button>
      </Form>
      <ListBody
        error={error}
        empty={
          contacts.length === 0 &&
          "No contacts match. Contacts appear here when visitors leave their details."
        }
      >
        <StackedTable
          rows={contacts}
          columns={[
            {
              label: "Name",
              cell: (c) => <Link to={`/contacts/${c.id}`}>{c.name || c.email || c.phone || "Unnamed"}</Link>,
            },
            { label: "Email", cell: (c) => c.email ?? "—" },
            { label: "Phone", cell: (c) => c.phone ?? "—" },
            {
              label: "Company",
              cell: (c) =>
                c.companyId ? (
                  <Link to={`/companies/${c.companyId}`}>{companyName(c.companyId) ?? "Company"}</Link>
                ) : (
                  "—"
                ),
            },
            { label: "Tags", cell: (c) => (c.tags.length ? c.tags.join(", ") : "—") },
            { label: "Added", cell: (c) => day(c.createdAt) },
          ]}
        />
      </ListBody>
      <NextPage cursor={nextCursor} />
    </>
  );
}
