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
