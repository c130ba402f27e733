-- The session and API-key look-ups also return the workspace's locale, so every screen formats dates
-- and amounts the workspace's way; an API key's role is capped by its creator's current role. Return
-- types change: each function is dropped and created again with the same owner and grants as in 0001.
DROP FUNCTION auth_session(text);
--> statement-breakpoint
CREATE FUNCTION auth_session(p_token_hash text)
RETURNS TABLE (session_id uuid, tenant_id uuid, user_id uuid, role member_role, csrf_hash text,
               expires_at timestamptz, email text, user_name text, email_verified boolean,
               tenant_name text, time_zone text, tenant_locale text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT s.id, s.tenant_id, s.user_id, m.role, s.csrf_hash, s.expires_at, u.email, u.name, u.email_verified,
         t.name, t.time_zone, t.locale
  FROM sessions s
  JOIN tenants t ON t.id = s.tenant_id
  JOIN memberships m ON m.tenant_id = s.tenant_id AND m.user_id = s.user_id
  JOIN users u ON u.id = s.user_id
  WHERE s.token_hash = p_token_hash
$$;
--> statement-breakpoint
ALTER FUNCTION auth_session(text) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION auth_session(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION auth_session(text) TO CURRENT_USER;
--> statement-breakpoint
DROP FUNCTION auth_api_key(text, text);
--> statement-breakpoint
CREATE FUNCTION auth_api_key(p_prefix text, p_secret_hash text)
RETURNS TABLE (key_id uuid, tenant_id uuid, tenant_name text, time_zone text, tenant_locale text, name text,
               role member_role, scopes text[], revoked boolean)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
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
  WHERE k.prefix = p_prefix AND k.secret_hash = p_secret_hash
$$;
--> statement-breakpoint
ALTER FUNCTION auth_api_key(text, text) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION auth_api_key(text, text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION auth_api_key(text, text) TO CURRENT_USER;
