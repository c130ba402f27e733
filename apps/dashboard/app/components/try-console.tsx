import { useEffect, useRef, useState } from "react";
import { useFetcher } from "react-router";
import { outcomeLabel, type TriedTurn } from "../lib/try-outcome.js";

// "Try it": a message goes to POST /v1/routes/try (through the /routes action) and the console shows
// the route the assistant would choose, its confidence, the runners-up and the first reply. It runs
// against the SAVED routes: save the editor first.

export type Tried = TriedTurn & {
  n?: number;
  candidates: { routeId: string; confidence: number }[];
};

type TryData = { tried?: Tried; tryError?: string };

export function TryConsole({ names }: { names: Record<string, string> }) {
  const fetcher = useFetcher<TryData>();
  const [log, setLog] = useState<Tried[]>([]);
  const formRef = useRef<HTMLFormElement>(null);
  const data = fetcher.data;
  useEffect(() => {
    if (data?.tried) {
      setLog((l) => [{ ...(data.tried as Tried), n: (l[0]?.n ?? 0) + 1 }, ...l].slice(0, 10));
      formRef.current?.reset();
    }
  }, [data]);
  const busy = fetcher.state !== "idle";
  return (
    <section className="card try" aria-labelledby="try-title">
      <h2 id="try-title">Try it</h2>
      <p className="muted small">Type what a customer might write; see which route answers (saved routes).</p>
      <fetcher.Form method="post" action="/routes" ref={formRef} noValidate className="inline-form">
        <input type="hidden" name="intent" value="try" />
        <label htmlFor="try-text">Customer message</label>
        <input id="try-text" name="text" placeholder="I'd like to book a demo" autoComplete="off" />
        <button type="submit" className="primary" disabled={busy} aria-busy={busy || undefined}>
          {busy ? "Trying…" : "Try"}
        </button>
      </fetcher.Form>
      <p className="field-error" data-field-error="text" role="alert">
        {data?.tryError ?? ""}
      </p>
      <ol className="try-log" aria-live="polite" aria-label="Results">
        {log.map((t) => (
          <li key={t.n} className="try-result">
            <p className="try-message">“{t.message}”</p>
            <p>
              <strong data-try-route={t.routeId ?? ""} data-try-outcome={t.outcome}>
                {t.outcome === "playbook" && t.routeId
                  ? `Route ${t.routeName ?? names[t.routeId] ?? t.routeId}`
                  : outcomeLabel(t)}
              </strong>
              {t.outcome === "playbook" ? (
                <>
                  {" "}
                  · confidence <Meter value={t.confidence} />
                </>
              ) : null}
            </p>
            {t.candidates.length > 1 ? (
              <p className="small muted">
                Also considered:{" "}
                {t.candidates
                  .filter((c) => c.routeId !== t.routeId)
                  .slice(0, 3)
                  .map((c) => `${names[c.routeId] ?? c.routeId} ${Math.round(c.confidence * 100)}%`)
                  .join(", ")}
              </p>
            ) : null}
            <p className="try-reply">{t.reply ?? "(no reply)"}</p>
            <Sources sources={t.sources} />
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The pages a knowledge answer cites, as the customer sees them under the answer. */
export function Sources({ sources }: { sources: TriedTurn["sources"] }) {
  const links = sources.filter((s): s is { url: string; title: string | null } => Boolean(s.url));
  if (links.length === 0) return null;
  return (
    <ul className="try-sources small" aria-label="Sources">
      {links.map((s) => (
        <li key={s.url}>
          <a href={s.url} target="_blank" rel="noopener noreferrer">
            {s.title || s.url}
          </a>
        </li>
      ))}
    </ul>
  );
}

function Meter({ value }: { value: number }) {
  const pct = Math.round(value * 100);
  return (
    <span className="meter-wrap">
      <meter min={0} max={1} low={0.4} high={0.7} optimum={1} value={value} aria-label="Confidence" /> {pct}%
    </span>
  );
}
