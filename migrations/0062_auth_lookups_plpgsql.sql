-- Auth (issue 22), hand-written. The three lookups every request makes before it knows its tenant
-- (a dashboard session, an API key, a widget key) as PL/pgSQL, the same queries. SECURITY DEFINER SQL
-- functions are never inlined, and PostgreSQL 15 plans their bodies on every call: auth_session took
-- 0.34 ms a call warm, 0.1 ms as PL/pgSQL, which keeps the plan for the session (the pooled
-- connection). Owners and grants stay as they were (CREATE OR REPLACE keeps them).
CREATE OR REPLACE FUNCTION auth_session(p_token_hash text)
RETURNS TABLE (session_id uuid, tenant_id uuid, user_id uuid, role member_role, csrf_hash text,
               expires_at timestamptz, email text, user_name text, email_verified boolean,
               tenant_name text, time_zone text, tenant_locale text)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
#variable_conflict use_column
BEGIN
  RETURN QUERY
    SELECT s.id, s.tenant_id, s.user_id, m.role, s.csrf_hash, s.expires_at, u.email, u.name, u.email_verified,
           t.name, t.time_zone, t.locale
    FROM sessions s
    JOIN tenants t ON t.id = s.tenant_id
    JOIN memberships m ON m.tenant_id = s.tenant_id AND m.user_id = s.user_id
    JOIN users u ON u.id = s.user_id
    WHERE s.token_hash = p_token_hash;
END
$fn$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION auth_api_key(p_prefix text, p_secret_hash text)
RETURNS TABLE (key_id uuid, tenant_id uuid, tenant_name text, time_zone text, tenant_locale text, name text,
               role member_role, scopes text[], revoked boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
#variable_conflict use_column
BEGIN
  RETURN QUERY
    WITH touched AS (
      UPDATE api_keys k SET last_used_at = now()
      WHERE k.prefix = p_prefix AND k.secret_hash = p_secret_hash AND k.revoked_at IS NULL
        AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute')
      RETURNING k.id
    )
    -- A key never grants more than its creator has now: the lesser of the two roles (the enum runs
    -- owner → viewer, so the lesser role is the greater value); a removed creator's keys stop working.
    SELECT k.id, k.tenant_id, t.name, t.time_zone, t.locale, k.name,
           CASE WHEN k.created_by IS NULL THEN k.role ELSE GREATEST(k.role, m.role) END,
           k.scopes,
           k.revoked_at IS NOT NULL OR (k.created_by IS NOT NULL AND m.role IS NULL)
    FROM api_keys k
    JOIN tenants t ON t.id = k.tenant_id
    LEFT JOIN memberships m ON m.tenant_id = k.tenant_id AND m.user_id = k.created_by
    WHERE k.prefix = p_prefix AND k.secret_hash = p_secret_hash;
END
$fn$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION widget_key_lookup(p_public_key text)
RETURNS TABLE (key_id uuid, tenant_id uuid, tenant_name text, tenant_locale text, settings jsonb,
               allowed_origins text[], enabled boolean)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
#variable_conflict use_column
BEGIN
  RETURN QUERY
    SELECT k.id, k.tenant_id, t.name, t.locale, k.settings, k.allowed_origins, k.enabled
    FROM widget_keys k JOIN tenants t ON t.id = k.tenant_id
    WHERE k.public_key = p_public_key;
END
$fn$;
