-- Funnel tables (issue 7; created in 0011, whose generation picked them up from the schema): fill
-- them from the events already stored (same merge as ingest, see apps/edge-api/src/analytics/
-- ingest.ts), then forced RLS like every other analytics table.
INSERT INTO analytics_funnel_deals (tenant_id, deal_id, lead_id, created_at, won_at, last_at)
SELECT tenant_id, deal_id, max(lead_id) FILTER (WHERE type = 'deal.created'),
  min(occurred_at) FILTER (WHERE type = 'deal.created'), min(occurred_at) FILTER (WHERE type = 'deal.won'),
  max(occurred_at)
FROM analytics_events WHERE type IN ('deal.created', 'deal.won') AND deal_id IS NOT NULL
GROUP BY tenant_id, deal_id;
--> statement-breakpoint
INSERT INTO analytics_funnel_leads (tenant_id, lead_id, conversation_id, created_at, sql_at, deal_at, won_at, last_at)
SELECT tenant_id, lead_id, max(conversation_id), min(created_at), min(sql_at), min(deal_at), min(won_at), max(last_at)
FROM (
  SELECT tenant_id, lead_id, CASE WHEN type = 'lead.created' THEN conversation_id END AS conversation_id,
    CASE WHEN type = 'lead.created' THEN occurred_at END AS created_at,
    CASE WHEN type = 'lead.status_changed' AND detail IN ('sql', 'converted') THEN occurred_at END AS sql_at,
    NULL::timestamptz AS deal_at, NULL::timestamptz AS won_at, occurred_at AS last_at
  FROM analytics_events WHERE type IN ('lead.created', 'lead.status_changed') AND lead_id IS NOT NULL
  UNION ALL
  SELECT tenant_id, lead_id, NULL, NULL, NULL, created_at, won_at, last_at
  FROM analytics_funnel_deals WHERE lead_id IS NOT NULL
) s
GROUP BY tenant_id, lead_id;
--> statement-breakpoint
INSERT INTO analytics_funnel (tenant_id, conversation_id, started_at, channel, engaged_at, form_completed_at,
  lead_at, sql_at, deal_at, won_at, last_at)
SELECT tenant_id, conversation_id, min(started_at),
  (array_agg(channel ORDER BY started_at) FILTER (WHERE started_at IS NOT NULL))[1],
  min(engaged_at), min(form_at), min(lead_at), min(sql_at), min(deal_at), min(won_at), max(last_at)
FROM (
  SELECT tenant_id, conversation_id, CASE WHEN type = 'conversation.started' THEN occurred_at END AS started_at,
    CASE WHEN type = 'conversation.started' THEN channel END AS channel,
    CASE WHEN type = 'message.received' THEN occurred_at END AS engaged_at,
    CASE WHEN type = 'form.completed' THEN occurred_at END AS form_at,
    NULL::timestamptz AS lead_at, NULL::timestamptz AS sql_at, NULL::timestamptz AS deal_at,
    NULL::timestamptz AS won_at, occurred_at AS last_at
  FROM analytics_events
  WHERE type IN ('conversation.started', 'message.received', 'form.completed') AND conversation_id IS NOT NULL
  UNION ALL
  SELECT tenant_id, conversation_id, NULL, NULL, NULL, NULL, created_at, sql_at, deal_at, won_at, last_at
  FROM analytics_funnel_leads WHERE conversation_id IS NOT NULL
) s
GROUP BY tenant_id, conversation_id;
--> statement-breakpoint
SELECT enable_tenant_rls(t) FROM unnest(ARRAY[
  'analytics_funnel', 'analytics_funnel_leads', 'analytics_funnel_deals'
]::regclass[]) AS t;
