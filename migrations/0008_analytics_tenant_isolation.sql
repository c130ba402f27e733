-- Analytics (issue 7), hand-written: row-level security, the rejected-events table's privileges and
-- the cross-tenant look-up the retention cron needs. See packages/db/src/schema/analytics.ts for why
-- analytics_events is a plain table keyed by id with one (tenant_id, type, occurred_at) index.
SELECT enable_tenant_rls(t) FROM unnest(ARRAY[
  'analytics_events', 'analytics_rollups', 'analytics_settings', 'analytics_dead_letters'
]::regclass[]) AS t;
--> statement-breakpoint
-- Poison messages may name no tenant or a wrong one: only the consumer (the connecting user) reads
-- and writes them; tenant requests (app_user) never can.
REVOKE ALL ON events_rejected FROM app_user;
--> statement-breakpoint
-- For the retention cron: tenants that hold events older than their retention.
CREATE FUNCTION analytics_retention_due(p_limit integer)
RETURNS TABLE (tenant_id uuid, retention_days integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT t.id, coalesce(s.retention_days, 400)
  FROM tenants t LEFT JOIN analytics_settings s ON s.tenant_id = t.id
  WHERE EXISTS (
    SELECT 1 FROM analytics_events e
    WHERE e.tenant_id = t.id
      AND e.occurred_at < now() - make_interval(days => coalesce(s.retention_days, 400)))
  LIMIT p_limit
$$;
--> statement-breakpoint
ALTER FUNCTION analytics_retention_due(integer) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION analytics_retention_due(integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION analytics_retention_due(integer) TO CURRENT_USER;
