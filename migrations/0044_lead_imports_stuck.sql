-- CSV imports run as queue jobs; a job whose message was lost (a local restart, a crash) leaves its
-- import "running" for good. The cron asks this look-up (ids only) for imports running with no
-- progress for p_quiet and queues them again; the job resumes after the rows already handled.
CREATE FUNCTION lead_imports_stuck(p_quiet interval, p_limit integer)
RETURNS TABLE (tenant_id uuid, import_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT i.tenant_id, i.id FROM lead_imports i
  WHERE i.status = 'running' AND i.updated_at < now() - p_quiet
  ORDER BY i.updated_at
  LIMIT p_limit
$$;
--> statement-breakpoint
ALTER FUNCTION lead_imports_stuck(interval, integer) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION lead_imports_stuck(interval, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION lead_imports_stuck(interval, integer) TO CURRENT_USER;
