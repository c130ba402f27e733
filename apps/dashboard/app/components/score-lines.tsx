/** A lead score's explanation: one line per rule that counted, with its points (the leads list and a lead). */
export function ScoreLines({
  lines,
  className,
}: {
  lines: { kind: string; label: string; points: number }[];
  className?: string;
}) {
  if (lines.length === 0) return <p className="muted small">No scoring rule matched.</p>;
  return (
    <ul className={className}>
      {lines.map((line) => (
        <li key={`${line.kind}-${line.label}-${line.points}`}>
          <span>
            {line.label} <span className="muted">({line.kind})</span>
          </span>
          <span className={line.points < 0 ? "neg" : "pos"}>
            {line.points > 0 ? "+" : ""}
            {Math.round(line.points * 10) / 10}
          </span>
        </li>
      ))}
    </ul>
  );
}
