-- Jobs that stopped without finishing (a lost queue message: a local restart, a crash) leave their
-- source "crawling" for good. The cron asks this look-up (ids only, like knowledge_sources_due) for
-- sources crawling with no progress for p_quiet, and re-queues their run.
CREATE FUNCTION knowledge_sources_stuck(p_quiet interval, p_limit integer)
RETURNS TABLE (tenant_id uuid, source_id uuid, kind text, run_id integer)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT s.tenant_id, s.id, s.kind, s.run_id FROM knowledge_sources s
  WHERE s.status = 'crawling' AND s.kind IN ('website', 'document')
    AND s.updated_at < now() - p_quiet
    AND NOT EXISTS (
      SELECT 1 FROM knowledge_pages p
      WHERE p.tenant_id = s.tenant_id AND p.source_id = s.id AND p.fetched_at > now() - p_quiet
    )
  ORDER BY s.updated_at
  LIMIT p_limit
$$;
--> statement-breakpoint
ALTER FUNCTION knowledge_sources_stuck(interval, integer) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION knowledge_sources_stuck(interval, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION knowledge_sources_stuck(interval, integer) TO CURRENT_USER;
