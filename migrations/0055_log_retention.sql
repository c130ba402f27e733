-- Workspaces holding webhook deliveries or channel message ids older than their retention (ids only;
-- the cron deletes as each workspace).
CREATE FUNCTION webhook_deliveries_due(p_days integer, p_limit integer)
RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT DISTINCT tenant_id FROM webhook_deliveries
  WHERE created_at < now() - make_interval(days => p_days)
  LIMIT p_limit
$$;
--> statement-breakpoint
ALTER FUNCTION webhook_deliveries_due(integer, integer) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION webhook_deliveries_due(integer, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION webhook_deliveries_due(integer, integer) TO CURRENT_USER;
--> statement-breakpoint
CREATE FUNCTION channel_messages_due(p_days integer, p_limit integer)
RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT DISTINCT tenant_id FROM channel_messages
  WHERE created_at < now() - make_interval(days => p_days)
  LIMIT p_limit
$$;
--> statement-breakpoint
ALTER FUNCTION channel_messages_due(integer, integer) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION channel_messages_due(integer, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION channel_messages_due(integer, integer) TO CURRENT_USER;
