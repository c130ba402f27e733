import type { InputHTMLAttributes } from "react";
import { useSearchParams } from "react-router";

// The controls of a list's filter bar (a GET form): each shows the value the URL holds, so a filtered
// list reloads, bookmarks and goes back with its filters.

export type FilterOption = { value: string; label: string };

type InputProps = { id: string; name: string; label: string; className?: string } & Omit<
  InputHTMLAttributes<HTMLInputElement>,
  "id" | "name" | "defaultValue"
>;

export function FilterInput({ id, name, label, className, ...input }: InputProps) {
  const [params] = useSearchParams();
  return (
    <div className={className}>
      <label htmlFor={id}>{label}</label>
      <input id={id} name={name} defaultValue={params.get(name) ?? ""} {...input} />
    </div>
  );
}

/** A choice among `options`; `fallback` is what is selected while the URL says nothing. */
export function FilterSelect({
  id,
  name,
  label,
  options,
  fallback = "",
}: {
  id: string;
  name: string;
  label: string;
  options: FilterOption[];
  fallback?: string;
}) {
  const [params] = useSearchParams();
  return (
    <div>
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} defaultValue={params.get(name) ?? fallback}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
