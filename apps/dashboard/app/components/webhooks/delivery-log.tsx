import { Form, Link } from "react-router";
import type { components } from "../../lib/api-schema.js";
import { useFormats } from "../../lib/format.js";

// An endpoint's delivery log: each event sent, how it fared, redelivery; and one delivery's tries
// (the request as sent, the status, the time it took and the start of the answer).

type Delivery = components["schemas"]["WebhookDelivery"];
type Detail = components["schemas"]["WebhookDeliveryDetail"];

const STATUS_TEXT: Record<Delivery["status"], string> = {
  pending: "queued",
  sending: "sending",
  succeeded: "delivered",
  retrying: "will retry",
  failed: "failed",
};

export function DeliveryLog({
  endpointId,
  deliveries,
  selected,
}: {
  endpointId: string;
  deliveries: Delivery[];
  selected: Detail | null;
}) {
  const { when } = useFormats();
  return (
    <>
      <h3>Deliveries</h3>
      {deliveries.length === 0 ? (
        <p className="empty">Nothing sent yet. Send a test event to try the endpoint.</p>
      ) : (
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col" className="hide-narrow">
                  Tries
                </th>
                <th scope="col" className="hide-narrow">
                  Sent
                </th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {deliveries.map((d) => (
                <tr key={d.id} data-delivery={d.id} data-delivery-status={d.status}>
                  <td>
                    <Link to={`?endpoint=${endpointId}&delivery=${d.id}`}>{d.eventType}</Link>
                  </td>
                  <td>
                    {STATUS_TEXT[d.status]}
                    {d.lastStatusCode !== null ? ` (${d.lastStatusCode})` : ""}
                    {d.status !== "succeeded" && d.lastError ? (
                      <div className="small muted">{d.lastError}</div>
                    ) : null}
                    {d.nextAttemptAt ? (
                      <div className="small muted">next try {when(d.nextAttemptAt)}</div>
                    ) : null}
                  </td>
                  <td className="hide-narrow">{d.attempts}</td>
                  <td className="hide-narrow small">{when(d.createdAt)}</td>
                  <td>
                    <Form method="post">
                      <input type="hidden" name="intent" value="redeliver" />
                      <input type="hidden" name="id" value={endpointId} />
                      <input type="hidden" name="deliveryId" value={d.id} />
                      <button type="submit" aria-label={`Redeliver ${d.eventType} of ${when(d.createdAt)}`}>
                        Redeliver
                      </button>
                    </Form>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {selected ? (
        <div className="delivery-detail" data-delivery-detail={selected.id}>
          <h3>
            {selected.eventType} <span className="muted small mono">{selected.messageId}</span>
          </h3>
          {selected.tries.length === 0 ? <p className="empty">Not tried yet.</p> : null}
          <ol className="plain tries">
            {selected.tries.map((t) => (
              <li key={t.attempt}>
                <p>
                  <strong>Try {t.attempt}</strong> · {when(t.at)} ·{" "}
                  {t.statusCode !== null ? `answered ${t.statusCode}` : (t.error ?? "no answer")} ·{" "}
                  {t.latencyMs} ms
                </p>
                {t.responseExcerpt ? <pre className="excerpt">{t.responseExcerpt}</pre> : null}
                <details>
                  <summary>Request</summary>
                  <pre className="excerpt">
                    {Object.entries(t.request.headers)
                      .map(([k, v]) => `${k}: ${v}`)
                      .join("\n")}
                    {"\n\n"}
                    {t.request.body}
                  </pre>
                </details>
              </li>
            ))}
          </ol>
        </div>
      ) : null}
    </>
  );
}
