import { Form, Link } from "react-router";
import { FilterInput, FilterSelect } from "../components/filters.js";
import { ListBody, NextPage, StackedTable } from "../components/list-page.js";
import { api } from "../lib/api.server.js";
import { searchPageQuery } from "../lib/crm.js";
import { errorMessage } from "../lib/crm.server.js";
import { useFormats } from "../lib/format.js";
import crmStyles from "../styles/crm.css?url";
import type { Route } from "./+types/companies";

export const meta: Route.MetaFunction = () => [{ title: "Companies · AutopilotCRM" }];
export const links: Route.LinksFunction = () => [{ rel: "stylesheet", href: crmStyles }];

export async function loader({ request, context }: Route.LoaderArgs) {
  const params = new URL(request.url).searchParams;
  const sort = params.get("sort") === "name" ? "name" : "updated_at";
  const list = await api(request, context).GET("/v1/companies", {
    params: {
      query: { ...searchPageQuery(params, sort), domain: params.get("domain") || undefined },
    },
  });
  return {
    companies: list.data?.companies ?? [],
    nextCursor: list.data?.nextCursor ?? null,
    error: list.data ? null : errorMessage(list.error, "The companies could not be loaded."),
  };
}

export default function Companies({ loaderData }: Route.ComponentProps) {
  const { day } = useFormats();
  const { companies, nextCursor, error } = loaderData;
  return (
    <>
      <div className="page-head">
        <h1>Companies</h1>
        <Link to="/contacts">Contacts</Link>
      </div>
      <Form method="get" className="filters" role="search" aria-label="Filter companies">
        <FilterInput id="f-q" name="q" type="search" label="Search name" className="grow" />
        <FilterInput id="f-domain" name="domain" label="Domain" />
        <FilterInput id="f-tag" name="tag" label="Tag" />
        <FilterSelect
          id="f-sort"
          name="sort"
          label="Sort by"
          fallback="updated_at"
          options={[
            { value: "updated_at", label: "Recently updated" },
            { value: "name", label: "Name" },
          ]}
        />
        <button type="submit">Filter</button>
      </Form>
      <ListBody error={error} empty={companies.length === 0 && "No companies match."}>
        <StackedTable
          rows={companies}
          columns={[
            { label: "Name", cell: (c) => <Link to={`/companies/${c.id}`}>{c.name}</Link> },
            { label: "Domain", cell: (c) => c.domain ?? "—" },
            { label: "Tags", cell: (c) => (c.tags.length ? c.tags.join(", ") : "—") },
            { label: "Added", cell: (c) => day(c.createdAt) },
          ]}
        />
      </ListBody>
      <NextPage cursor={nextCursor} />
    </>
  );
}
