import type { Comparison, ComparisonOp, Condition } from "@autopilot/engine";

// A branch condition built from choices: what to look at (a field this playbook asks for, or something
// known about the contact), how to compare, and the value. It writes the engine's Condition shape
// ({all: [...]} or {any: [...]}); nothing is typed as JSON.

/** Something a condition can look at, with what the editor knows of its values. */
export type ConditionSubject = {
  path: string;
  label: string;
  /** Numbers compare as numbers; choices offer their options. */
  type: "text" | "number" | "choice";
  options?: { value: string; label: string }[];
};

export const CONTACT_SUBJECTS: ConditionSubject[] = [
  { path: "contact.email", label: "Contact's email", type: "text" },
  { path: "contact.phone", label: "Contact's phone", type: "text" },
  { path: "contact.company", label: "Contact's company", type: "text" },
  { path: "contact.firstName", label: "Contact's first name", type: "text" },
];

const OPS: { op: ComparisonOp; label: string; takes: "value" | "list" | "none"; numeric?: true }[] = [
  { op: "eq", label: "is", takes: "value" },
  { op: "neq", label: "is not", takes: "value" },
  { op: "gt", label: "is more than", takes: "value", numeric: true },
  { op: "gte", label: "is at least", takes: "value", numeric: true },
  { op: "lt", label: "is less than", takes: "value", numeric: true },
  { op: "lte", label: "is at most", takes: "value", numeric: true },
  { op: "in", label: "is one of", takes: "list" },
  { op: "not_in", label: "is none of", takes: "list" },
  { op: "contains", label: "contains", takes: "value" },
  { op: "exists", label: "is filled in", takes: "none" },
  { op: "not_exists", label: "is empty", takes: "none" },
  { op: "matches", label: "matches the pattern", takes: "value" },
];

const CUSTOM = "__custom";

function valueFor(
  subject: ConditionSubject | undefined,
  op: ComparisonOp,
  text: string,
): Comparison["value"] {
  const spec = OPS.find((o) => o.op === op);
  const asNumber = (s: string) => {
    const n = Number(s.trim());
    return subject?.type === "number" && s.trim() !== "" && Number.isFinite(n) ? n : s.trim();
  };
  if (spec?.takes === "none") return undefined;
  if (spec?.takes === "list")
    return text
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean)
      .map(asNumber);
  return asNumber(text);
}

const textOf = (value: Comparison["value"]) =>
  Array.isArray(value) ? value.join(", ") : value === undefined ? "" : String(value);

export function ConditionBuilder({
  id,
  label,
  condition,
  subjects,
  onChange,
}: {
  /** Prefix for the inputs' ids (unique on the page). */
  id: string;
  /** Accessible name of the group, e.g. "Case 1 condition". */
  label: string;
  condition: Condition;
  subjects: ConditionSubject[];
  onChange: (c: Condition) => void;
}) {
  // One list is edited; a condition with both lists (written through the API) keeps its `any` part.
  const mode: "all" | "any" = condition.any?.length && !condition.all?.length ? "any" : "all";
  const rows = condition[mode] ?? [];
  const keepsOther = mode === "all" && (condition.any?.length ?? 0) > 0;
  const setRows = (next: Comparison[]) => onChange({ ...condition, [mode]: next });
  const setRow = (i: number, patch: Partial<Comparison>) =>
    setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const subjectOf = (path: string) => subjects.find((s) => s.path === path);

  return (
    <fieldset className="condition" aria-label={label}>
      <div className="condition-mode">
        <label htmlFor={`${id}-mode`}>Match</label>
        <select
          id={`${id}-mode`}
          value={mode}
          disabled={keepsOther}
          onChange={(e) => {
            const next = e.target.value as "all" | "any";
            onChange({ [next]: rows });
          }}
        >
          <option value="all">all of these</option>
          <option value="any">any of these</option>
        </select>
      </div>
      {rows.length === 0 ? <p className="muted small">No conditions: this case always applies.</p> : null}
      <ol className="condition-rows">
        {rows.map((row, i) => {
          const subject = subjectOf(row.var);
          const rowId = `${id}-${i}`;
          const ops = OPS.filter((o) => !o.numeric || subject?.type !== "choice");
          const takes = OPS.find((o) => o.op === row.op)?.takes ?? "value";
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity of their own
            <li key={i} className="condition-row">
              <div className="field">
                <label htmlFor={`${rowId}-var`}>When</label>
                <select
                  id={`${rowId}-var`}
                  value={subject ? row.var : CUSTOM}
                  onChange={(e) => {
                    const path = e.target.value === CUSTOM ? "contact.attributes." : e.target.value;
                    setRow(i, { var: path, value: valueFor(subjectOf(path), row.op, textOf(row.value)) });
                  }}
                >
                  {subjects.map((s) => (
                    <option key={s.path} value={s.path}>
                      {s.label}
                    </option>
                  ))}
                  <option value={CUSTOM}>Another contact attribute…</option>
                </select>
              </div>
              {subject ? null : (
                <div className="field">
                  <label htmlFor={`${rowId}-path`}>Attribute</label>
                  <input
                    id={`${rowId}-path`}
                    value={row.var.replace(/^contact\.attributes\./, "")}
                    placeholder="plan"
                    autoComplete="off"
                    onChange={(e) =>
                      setRow(i, { var: `contact.attributes.${e.target.value.trim().replace(/\s+/g, "_")}` })
                    }
                  />
                </div>
              )}
              <div className="field">
                <label htmlFor={`${rowId}-op`}>Comparison</label>
                <select
                  id={`${rowId}-op`}
                  value={row.op}
                  onChange={(e) => {
                    const op = e.target.value as ComparisonOp;
                    setRow(i, { op, value: valueFor(subject, op, textOf(row.value)) });
                  }}
                >
                  {ops.map((o) => (
                    <option key={o.op} value={o.op}>
                      {o.label}
                    </option>
                  ))}
                </select>
              </div>
              {takes === "none" ? null : subject?.type === "choice" && takes === "value" ? (
                <div className="field">
                  <label htmlFor={`${rowId}-value`}>Value</label>
                  <select
                    id={`${rowId}-value`}
                    value={textOf(row.value)}
                    onChange={(e) => setRow(i, { value: e.target.value })}
                  >
                    <option value="">(choose)</option>
                    {(subject.options ?? []).map((o) => (
                      <option key={o.value} value={o.value}>
                        {o.label}
                      </option>
                    ))}
                  </select>
                </div>
              ) : (
                <div className="field">
                  <label htmlFor={`${rowId}-value`}>
                    {takes === "list" ? "Values (comma separated)" : "Value"}
                  </label>
                  <input
                    id={`${rowId}-value`}
                    inputMode={subject?.type === "number" && takes === "value" ? "decimal" : undefined}
                    value={textOf(row.value)}
                    autoComplete="off"
                    onChange={(e) => setRow(i, { value: valueFor(subject, row.op, e.target.value) })}
                  />
                </div>
              )}
              <button
                type="button"
                className="link-button"
                aria-label={`Remove condition ${i + 1} of ${label}`}
                onClick={() => setRows(rows.filter((_, j) => j !== i))}
              >
                Remove
              </button>
            </li>
          );
        })}
      </ol>
      {keepsOther ? (
        <p className="muted small">
          Also requires one of {condition.any?.length} more conditions set through the API.
        </p>
      ) : null}
      <button
        type="button"
        onClick={() => {
          const first = subjects[0];
          setRows([
            ...rows,
            { var: first?.path ?? "contact.email", op: first?.type === "choice" ? "eq" : "exists" },
          ]);
        }}
      >
        Add condition
      </button>
    </fieldset>
  );
}
