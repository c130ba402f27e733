import type { ReactNode } from "react";
import { Link, useSearchParams } from "react-router";
import { withParams } from "../lib/crm.js";

// The parts every cursor-paged list page (contacts, companies, leads) shares.

/** The list, or why there is none: the load error (announced), or the empty state. */
export function ListBody({
  error,
  empty,
  children,
}: {
  error: string | null | undefined;
  /** What to say when nothing matches; false while there are rows. */
  empty: ReactNode | false;
  children: ReactNode;
}) {
  if (error)
    return (
      <p className="form-error" role="alert">
        {error}
      </p>
    );
  if (empty !== false) return <p className="empty">{empty}</p>;
  return <>{children}</>;
}

/** "Next page": the same filters, from the server's cursor. */
export function NextPage({ cursor }: { cursor: string | null | undefined }) {
  const [params] = useSearchParams();
  if (!cursor) return null;
  return (
    <p className="pager">
      <Link to={withParams(params, { cursor })}>Next page</Link>
    </p>
  );
}

export type Column<T> = { label: string; cell: (row: T) => ReactNode };

/** A table that stacks into labelled cards on phones (each cell carries its column's label). */
export function StackedTable<T extends { id: string }>({
  rows,
  columns,
}: {
  rows: T[];
  columns: Column<T>[];
}) {
  return (
    <div className="table-wrap">
      <table className="data-table stack">
        <thead>
          <tr>
            {columns.map((col) => (
              <th scope="col" key={col.label}>
                {col.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={row.id}>
              {columns.map((col) => (
                <td data-label={col.label} key={col.label}>
                  {col.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
