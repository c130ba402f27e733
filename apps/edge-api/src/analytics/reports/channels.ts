import { type ReportFn, sortRows } from "./query.js";
import { groupRows, rollupSums, total } from "./sql.js";

/** Channel mix: conversations started and messages in / out, per period and channel (rollups). */
export const channelMixReport: ReportFn = async (tx, tenantId, q, tz) => {
  const rows = await rollupSums(
    tx,
    tenantId,
    q,
    tz,
    ["conversation.started", "message.received", "message.sent"],
    ["channel"],
  );
  const groups = groupRows(rows, (r) => `${r.period}\u0000${r.channel}`);
  return {
    rows: sortRows(
      [...groups.values()].map((g) => {
        const first = g[0] as (typeof g)[number];
        return {
          period: first.period,
          channel: first.channel,
          conversations: total(g, (r) => r.type === "conversation.started"),
          messagesReceived: total(g, (r) => r.type === "message.received"),
          messagesSent: total(g, (r) => r.type === "message.sent"),
        };
      }),
      ["period", "channel"],
    ),
  };
};
