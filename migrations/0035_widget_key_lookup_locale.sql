-- The widget's session look-up also returns the workspace's locale (its words follow it). The
-- return type changes, so the function is dropped and created again with the same owner and grants.
DROP FUNCTION widget_key_lookup(text);
--> statement-breakpoint
CREATE FUNCTION widget_key_lookup(p_public_key text)
RETURNS TABLE (key_id uuid, tenant_id uuid, tenant_name text, tenant_locale text, settings jsonb,
               allowed_origins text[], enabled boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT k.id, k.tenant_id, t.name, t.locale, k.settings, k.allowed_origins, k.enabled
  FROM widget_keys k JOIN tenants t ON t.id = k.tenant_id
  WHERE k.public_key = p_public_key
$$;
--> statement-breakpoint
ALTER FUNCTION widget_key_lookup(text) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION widget_key_lookup(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION widget_key_lookup(text) TO CURRENT_USER;
