-- Row-level security for the leads and sales tables (issue 6). drizzle-kit emits no policies.
SELECT enable_tenant_rls(t) FROM unnest(ARRAY[
  'companies', 'contacts', 'attribute_definitions', 'tags', 'leads', 'lead_events', 'scoring_rules',
  'sales_settings', 'lead_imports', 'teams', 'team_members', 'assignment_rules', 'assignment_decisions',
  'notifications', 'pipelines', 'stages', 'deals', 'deal_stage_history', 'activities'
]::regclass[]) AS t;
--> statement-breakpoint
-- For cron jobs that span tenants (SLA, stale deals, reminders): which tenants have work due.
CREATE FUNCTION sales_due_tenants(p_limit integer)
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT tenant_id FROM leads WHERE sla_due_at <= now() AND first_touched_at IS NULL
  UNION
  SELECT tenant_id FROM activities WHERE remind_at <= now() AND reminded_at IS NULL AND completed_at IS NULL
  UNION
  SELECT tenant_id FROM deals WHERE closed_at IS NULL AND stale_flagged_at IS NULL
    AND coalesce(last_activity_at, created_at) < now() - interval '1 day'
  LIMIT p_limit
$$;
--> statement-breakpoint
ALTER FUNCTION sales_due_tenants(integer) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION sales_due_tenants(integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION sales_due_tenants(integer) TO CURRENT_USER;
