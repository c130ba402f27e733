-- Conversations: tenant isolation for the tables of the conversations migration, and the widget's
-- pre-tenant look-up (hand-written: drizzle-kit emits neither FORCE RLS, policies nor functions).
SELECT enable_tenant_rls(t) FROM unnest(ARRAY[
  'conversations', 'messages', 'routes', 'router_models', 'canned_replies', 'agent_presence',
  'widget_keys', 'ai_settings'
]::regclass[]) AS t;
--> statement-breakpoint
-- The widget names its tenant by a public key; this is the only read made before the tenant is known.
CREATE FUNCTION widget_key_lookup(p_public_key text)
RETURNS TABLE (key_id uuid, tenant_id uuid, tenant_name text, settings jsonb, allowed_origins text[],
               enabled boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT k.id, k.tenant_id, t.name, k.settings, k.allowed_origins, k.enabled
  FROM widget_keys k JOIN tenants t ON t.id = k.tenant_id
  WHERE k.public_key = p_public_key
$$;
--> statement-breakpoint
ALTER FUNCTION widget_key_lookup(text) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION widget_key_lookup(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION widget_key_lookup(text) TO CURRENT_USER;
