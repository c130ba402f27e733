-- Daily rollups (issue 7): tenant-owned, so forced RLS like every other analytics table.
SELECT enable_tenant_rls(t) FROM unnest(ARRAY['analytics_rollups_daily', 'analytics_daily_zones']::regclass[]) AS t;
