import { useState } from "react";
import { useLiveSocket } from "../lib/use-live-socket.js";

// Live figures from the real-time WebSocket (GET /v1/live through the dashboard's /api proxy, with the
// session cookie). The server pushes a snapshot at once and after every ingested batch. Reconnects with
// backoff (1 s → 30 s) when the socket drops; the tiles keep their size whatever they show.

type Figures = {
  day: string;
  activeConversations: number;
  waitingForHuman: number;
  leadsToday: number;
  medianFirstResponseSeconds: number | null;
};

export function LivePanel() {
  const [figures, setFigures] = useState<Figures | null>(null);
  const status = useLiveSocket(
    "/api/v1/live",
    (data) => {
      try {
        const message = JSON.parse(data) as { type?: string; figures?: Figures };
        if (message.type === "figures" && message.figures) setFigures(message.figures);
      } catch {
        // "pong" and anything else that is not a snapshot
      }
    },
    "ping",
  );
  const value = (n: number | null | undefined, suffix = "") =>
    n === null || n === undefined ? "–" : `${n}${suffix}`;
  const fr = figures?.medianFirstResponseSeconds;
  return (
    <section className="card live" aria-labelledby="live-title">
      <div className="page-head">
        <h2 id="live-title">Live</h2>
        <span className={`live-status ${status}`} role="status" data-live-status={status}>
          {status === "live" ? "● live" : status === "connecting" ? "connecting…" : "reconnecting…"}
        </span>
      </div>
      <dl className="tiles">
        <div>
          <dt>Active conversations</dt>
          <dd data-live="active">{value(figures?.activeConversations)}</dd>
        </div>
        <div>
          <dt>Waiting for a human</dt>
          <dd data-live="waiting">{value(figures?.waitingForHuman)}</dd>
        </div>
        <div>
          <dt>Leads today</dt>
          <dd data-live="leads">{value(figures?.leadsToday)}</dd>
        </div>
        <div>
          <dt>Median first response</dt>
          <dd data-live="first-response">
            {fr === null || fr === undefined
              ? "–"
              : fr < 120
                ? `${Math.round(fr)} s`
                : `${Math.round(fr / 60)} min`}
          </dd>
        </div>
      </dl>
    </section>
  );
}
