-- Knowledge base (issue 5), hand-written: forced row-level security on every knowledge table, and the
-- one cross-tenant look-up the refresh cron needs (which sources are due), as a narrow SECURITY
-- DEFINER function that returns ids only; the cron then works per tenant through withTenant.
SELECT enable_tenant_rls(t) FROM unnest(ARRAY[
  'knowledge_settings', 'knowledge_sources', 'knowledge_pages', 'knowledge_chunks'
]::regclass[]) AS t;
--> statement-breakpoint
CREATE FUNCTION knowledge_sources_due(p_limit integer)
RETURNS TABLE (tenant_id uuid, source_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT s.tenant_id, s.id FROM knowledge_sources s
  WHERE s.next_refresh_at <= now() AND s.status <> 'crawling'
  ORDER BY s.next_refresh_at
  LIMIT p_limit
$$;
--> statement-breakpoint
ALTER FUNCTION knowledge_sources_due(integer) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION knowledge_sources_due(integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION knowledge_sources_due(integer) TO CURRENT_USER;
