-- Tenant isolation (hand-written: drizzle-kit emits neither roles, FORCE RLS, policies nor functions).
--
-- app_user   : the role every tenant request runs as (SET LOCAL ROLE in withTenant). No BYPASSRLS,
--              owns nothing, so row-level security always applies to it.
-- app_lookup : owns the few SECURITY DEFINER functions used before a tenant is known (login by
--              email, API-key prefix, session token, invite and user tokens). Its read policies are
--              reachable only through those functions, since nobody logs in as it.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app_user') THEN
    CREATE ROLE app_user NOLOGIN NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app_lookup') THEN
    CREATE ROLE app_lookup NOLOGIN NOBYPASSRLS;
  END IF;
END $$;
--> statement-breakpoint
-- A non-superuser owner (Neon's) must be a member to SET ROLE and to hand functions over.
GRANT app_user, app_lookup TO CURRENT_USER;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO app_user, app_lookup;
--> statement-breakpoint
GRANT CREATE ON SCHEMA public TO app_lookup;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO app_user;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO app_user;
--> statement-breakpoint
CREATE FUNCTION app_tenant() RETURNS uuid LANGUAGE sql STABLE
AS $$ SELECT nullif(current_setting('app.tenant_id', true), '')::uuid $$;
--> statement-breakpoint
-- Later migrations call this for each tenant-owned table they add.
CREATE FUNCTION enable_tenant_rls(tbl regclass, tenant_column text DEFAULT 'tenant_id') RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('ALTER TABLE %s FORCE ROW LEVEL SECURITY', tbl);
  EXECUTE format(
    'CREATE POLICY tenant_isolation ON %s TO app_user USING (%I = app_tenant()) WITH CHECK (%I = app_tenant())',
    tbl, tenant_column, tenant_column);
  EXECUTE format('CREATE POLICY lookup_read ON %s FOR SELECT TO app_lookup USING (true)', tbl);
  EXECUTE format('GRANT SELECT ON %s TO app_lookup', tbl);
END $$;
--> statement-breakpoint
SELECT enable_tenant_rls('tenants', 'id');
--> statement-breakpoint
SELECT enable_tenant_rls(t) FROM unnest(ARRAY[
  'memberships', 'invites', 'user_tokens', 'api_keys', 'sessions', 'idempotency_keys',
  'audit_log', 'outbox', 'mail_outbox'
]::regclass[]) AS t;
--> statement-breakpoint
-- Users are global. A tenant sees the users who are its members; anyone may be created (signup).
-- Inserts must not use RETURNING: the new row is not visible until its membership exists.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE users FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY users_of_tenant ON users FOR SELECT TO app_user
  USING (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id));
--> statement-breakpoint
CREATE POLICY users_update_of_tenant ON users FOR UPDATE TO app_user
  USING (EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = users.id));
--> statement-breakpoint
CREATE POLICY users_insert ON users FOR INSERT TO app_user WITH CHECK (true);
--> statement-breakpoint
CREATE POLICY lookup_read ON users FOR SELECT TO app_lookup USING (true);
--> statement-breakpoint
GRANT SELECT ON users TO app_lookup;
--> statement-breakpoint
CREATE POLICY lookup_touch ON api_keys FOR UPDATE TO app_lookup USING (true);
--> statement-breakpoint
GRANT UPDATE (last_used_at) ON api_keys TO app_lookup;
--> statement-breakpoint
-- Pre-tenant look-ups. Each returns only what its caller needs.
CREATE FUNCTION auth_login_lookup(p_email text)
RETURNS TABLE (user_id uuid, password_hash text, password_salt text, email_verified boolean,
               tenant_id uuid, role member_role)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT u.id, u.password_hash, u.password_salt, u.email_verified, m.tenant_id, m.role
  FROM users u LEFT JOIN memberships m ON m.user_id = u.id
  WHERE lower(u.email) = lower(p_email)
  ORDER BY m.created_at
$$;
--> statement-breakpoint
-- Verifies the secret's hash and marks the key used (at most once a minute, to spare writes).
CREATE FUNCTION auth_api_key(p_prefix text, p_secret_hash text)
RETURNS TABLE (key_id uuid, tenant_id uuid, tenant_name text, time_zone text, name text,
               role member_role, scopes text[], revoked boolean)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH touched AS (
    UPDATE api_keys k SET last_used_at = now()
    WHERE k.prefix = p_prefix AND k.secret_hash = p_secret_hash AND k.revoked_at IS NULL
      AND (k.last_used_at IS NULL OR k.last_used_at < now() - interval '1 minute')
    RETURNING k.id
  )
  SELECT k.id, k.tenant_id, t.name, t.time_zone, k.name, k.role, k.scopes, k.revoked_at IS NOT NULL
  FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
  WHERE k.prefix = p_prefix AND k.secret_hash = p_secret_hash
$$;
--> statement-breakpoint
CREATE FUNCTION auth_session(p_token_hash text)
RETURNS TABLE (session_id uuid, tenant_id uuid, user_id uuid, role member_role, csrf_hash text,
               expires_at timestamptz, email text, user_name text, email_verified boolean,
               tenant_name text, time_zone text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT s.id, s.tenant_id, s.user_id, m.role, s.csrf_hash, s.expires_at, u.email, u.name, u.email_verified,
         t.name, t.time_zone
  FROM sessions s
  JOIN tenants t ON t.id = s.tenant_id
  JOIN memberships m ON m.tenant_id = s.tenant_id AND m.user_id = s.user_id
  JOIN users u ON u.id = s.user_id
  WHERE s.token_hash = p_token_hash
$$;
--> statement-breakpoint
CREATE FUNCTION auth_invite(p_token_hash text)
RETURNS TABLE (invite_id uuid, tenant_id uuid, email text, role member_role, expires_at timestamptz,
               accepted_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT i.id, i.tenant_id, i.email, i.role, i.expires_at, i.accepted_at FROM invites i
  WHERE i.token_hash = p_token_hash
$$;
--> statement-breakpoint
CREATE FUNCTION auth_user_token(p_token_hash text)
RETURNS TABLE (token_id uuid, tenant_id uuid, user_id uuid, purpose text, expires_at timestamptz,
               used_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT t.id, t.tenant_id, t.user_id, t.purpose, t.expires_at, t.used_at FROM user_tokens t
  WHERE t.token_hash = p_token_hash
$$;
--> statement-breakpoint
-- For cross-tenant jobs (the outbox sender): which tenants have events waiting.
CREATE FUNCTION outbox_pending_tenants(p_limit integer)
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT DISTINCT o.tenant_id FROM outbox o WHERE o.sent_at IS NULL LIMIT p_limit
$$;
--> statement-breakpoint
-- The local development mailbox (all tenants): served only when the dev Mailer is configured.
CREATE FUNCTION dev_mailbox(p_limit integer, p_to text)
RETURNS TABLE (id uuid, tenant_id uuid, "to" text, subject text, text text, kind text, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT m.id, m.tenant_id, m."to", m.subject, m.text, m.kind, m.created_at FROM mail_outbox m
  WHERE p_to IS NULL OR m."to" = lower(p_to)
  ORDER BY m.created_at DESC LIMIT p_limit
$$;
--> statement-breakpoint
DO $$
DECLARE f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p
           WHERE p.pronamespace = 'public'::regnamespace AND p.prosecdef LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO app_lookup', f);
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO CURRENT_USER', f);
  END LOOP;
END $$;
