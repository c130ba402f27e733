-- A plugin's inbound webhook (/v1/hooks/{installId}/{name}) arrives without credentials: the worker
-- asks which workspace the install belongs to (ids only), then reads the install as that workspace.
CREATE FUNCTION plugin_install_tenant(p_install uuid)
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT tenant_id FROM plugin_installs WHERE id = p_install
$$;
--> statement-breakpoint
ALTER FUNCTION plugin_install_tenant(uuid) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION plugin_install_tenant(uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION plugin_install_tenant(uuid) TO CURRENT_USER;
