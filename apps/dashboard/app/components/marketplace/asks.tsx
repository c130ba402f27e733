import type { ReactNode } from "react";

// What a plugin asks for, in words: its permissions and the hosts it may connect to.

export function Asks({
  permissions,
  hosts,
}: {
  permissions: { permission: string; text: string }[];
  hosts: string[];
}) {
  return (
    <ul data-consent="">
      {permissions.map((p) => (
        <li key={p.permission}>
          {p.text} <span className="muted small mono">({p.permission})</span>
        </li>
      ))}
      {hosts.map((h) => (
        <li key={h}>Connect to {h}</li>
      ))}
      {permissions.length + hosts.length === 0 ? <li>Nothing beyond running its own code.</li> : null}
    </ul>
  );
}

export function Verified({ verified }: { verified: boolean }) {
  return verified ? (
    <span className="badge verified" title="Platform staff verified this publisher">
      ✓ Verified
    </span>
  ) : null;
}

/** The grant a plugin gets only when ticked (install or upgrade), with the refusal beside it. */
export function ConsentCheck({
  id,
  error,
  children,
}: {
  id: string;
  error: string | undefined;
  children: ReactNode;
}) {
  return (
    <>
      <label className="check">
        <input type="checkbox" name="consent" aria-describedby={`${id}-error`} /> {children}
      </label>
      <p id={`${id}-error`} className="field-error" data-field-error="consent">
        {error ?? ""}
      </p>
    </>
  );
}
