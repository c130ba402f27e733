import {
  conversations,
  type Database,
  deals,
  knowledgeSources,
  leads,
  routes,
  stages,
  widgetKeys,
  withTenant,
} from "@autopilot/db";
import { type SQL, sql } from "drizzle-orm";

/** Counts stop here: the home screen says "1,000+", and a large workspace is not scanned to the end. */
export const OVERVIEW_COUNT_CAP = 1000;

export type Overview = {
  setup: { knowledge: boolean; playbooks: boolean; widget: boolean | null };
  waitingConversations: number;
  newLeads: number;
  openDeals: number;
};

/**
 * What the home screen shows, in one statement: which set-up steps are done (from the workspace's own
 * data, not a flag) and what waits for a person. `widget` is null unless the caller may see widget keys.
 */
export async function workspaceOverview(
  db: Database,
  tenantId: string,
  opts: { widgetKeys: boolean },
): Promise<Overview> {
  // Counted up to the cap: the inner query stops there.
  const capped = (rows: SQL) => sql`(select count(*)::int from (${rows} limit ${OVERVIEW_COUNT_CAP}) c)`;
  const waiting = capped(
    sql`select 1 from ${conversations} where ${conversations.tenantId} = ${tenantId} and ${conversations.status} = 'waiting'`,
  );
  const newLeads = capped(
    sql`select 1 from ${leads} where ${leads.tenantId} = ${tenantId} and ${leads.status} = 'new'`,
  );
  // A deal is open while its stage is (deals have no status of their own).
  const openDeals = capped(
    sql`select 1 from ${deals} join ${stages} on ${stages.tenantId} = ${deals.tenantId}
      and ${stages.pipelineId} = ${deals.pipelineId} and ${stages.id} = ${deals.stageId}
      where ${deals.tenantId} = ${tenantId} and ${stages.category} = 'open'`,
  );
  return withTenant(db, tenantId, async (tx) => {
    const result = await tx.execute<{
      knowledge: boolean;
      playbooks: boolean;
      widget: boolean;
      waiting: number;
      new_leads: number;
      open_deals: number;
    }>(sql`select
      exists (select 1 from ${knowledgeSources} where ${knowledgeSources.tenantId} = ${tenantId}) as knowledge,
      exists (select 1 from ${routes} where ${routes.tenantId} = ${tenantId}) as playbooks,
      exists (select 1 from ${widgetKeys} where ${widgetKeys.tenantId} = ${tenantId}) as widget,
      ${waiting} as waiting,
      ${newLeads} as new_leads,
      ${openDeals} as open_deals`);
    const row = result.rows[0];
    if (!row) throw new Error("overview: no row");
    return {
      setup: {
        knowledge: row.knowledge,
        playbooks: row.playbooks,
        widget: opts.widgetKeys ? row.widget : null,
      },
      waitingConversations: row.waiting,
      newLeads: row.new_leads,
      openDeals: row.open_deals,
    };
  });
}
