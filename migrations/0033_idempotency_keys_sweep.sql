-- Idempotency keys (HTTP Idempotency-Key and conversation actions), hand-written: for the cron's sweep,
-- the tenants holding keys older than the cutoff. A look-up across tenants, so it runs as app_lookup
-- (read-only everywhere); the deletes then run per tenant under row-level security.
CREATE FUNCTION idempotency_keys_due(p_days integer, p_limit integer)
RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT k.tenant_id FROM idempotency_keys k
  WHERE k.created_at < now() - make_interval(days => p_days)
  GROUP BY k.tenant_id
  LIMIT p_limit
$$;
--> statement-breakpoint
ALTER FUNCTION idempotency_keys_due(integer, integer) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION idempotency_keys_due(integer, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION idempotency_keys_due(integer, integer) TO CURRENT_USER;
