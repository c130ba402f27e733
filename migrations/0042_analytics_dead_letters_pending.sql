-- Events that exhausted their queue retries during an outage wait in analytics_dead_letters; the cron
-- replays them on its own once the database answers again. This look-up (ids only) says which tenants
-- have some waiting.
CREATE FUNCTION analytics_dead_letters_pending(p_limit integer)
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT DISTINCT d.tenant_id FROM analytics_dead_letters d WHERE d.replayed_at IS NULL LIMIT p_limit
$$;
--> statement-breakpoint
ALTER FUNCTION analytics_dead_letters_pending(integer) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION analytics_dead_letters_pending(integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION analytics_dead_letters_pending(integer) TO CURRENT_USER;
