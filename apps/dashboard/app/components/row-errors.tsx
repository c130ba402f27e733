import type { ReactNode } from "react";

// The rows a file upload (a lead CSV, a product catalogue) could not take, each with its column and
// the problem, in a table.

export type RowError = { row: number; field: string; message: string };

export function RowErrors({
  errors,
  caption,
  captionHidden = false,
  rowLabel,
  className,
}: {
  errors: RowError[];
  caption: ReactNode;
  captionHidden?: boolean;
  /** What the first column counts: a file's "Line" or a catalogue's "Row". */
  rowLabel: string;
  className: string;
}) {
  return (
    <table className={className}>
      <caption className={captionHidden ? "visually-hidden" : undefined}>{caption}</caption>
      <thead>
        <tr>
          <th scope="col" className="num">
            {rowLabel}
          </th>
          <th scope="col">Column</th>
          <th scope="col">Problem</th>
        </tr>
      </thead>
      <tbody>
        {errors.map((e) => (
          <tr key={`${e.row}-${e.field}`} data-row-error={e.row}>
            <td className="num">{e.row}</td>
            <td>{e.field}</td>
            {/* The column is shown beside the message: "email: not an email" reads "not an email". */}
            <td>{e.message.startsWith(`${e.field}: `) ? e.message.slice(e.field.length + 2) : e.message}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
