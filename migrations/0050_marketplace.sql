CREATE TABLE "developer_profiles" (
	"user_id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"website" text,
	"support_email" text NOT NULL,
	"verified" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "developer_tokens" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"user_id" uuid NOT NULL,
	"name" text NOT NULL,
	"prefix" text NOT NULL,
	"secret_hash" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "developer_tokens_prefix_unique" UNIQUE("prefix")
);
--> statement-breakpoint
CREATE TABLE "marketplace_plugins" (
	"plugin_id" text PRIMARY KEY NOT NULL,
	"publisher" text NOT NULL,
	"developer_id" uuid NOT NULL,
	"category" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "marketplace_versions" (
	"plugin_id" text NOT NULL,
	"version" text NOT NULL,
	"manifest" jsonb NOT NULL,
	"bundle_sha256" text NOT NULL,
	"bytes" integer NOT NULL,
	"readme" text DEFAULT '' NOT NULL,
	"changelog" text DEFAULT '' NOT NULL,
	"status" text NOT NULL,
	"checks" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"risk" text DEFAULT 'low' NOT NULL,
	"reason" text,
	"reviewed_by" uuid,
	"publish_on_approval" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"reviewed_at" timestamp with time zone,
	"published_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "marketplace_versions_plugin_id_version_pk" PRIMARY KEY("plugin_id","version")
);
--> statement-breakpoint
ALTER TABLE "plugin_installs" ADD COLUMN "source" text DEFAULT 'private' NOT NULL;--> statement-breakpoint
ALTER TABLE "plugin_installs" ADD COLUMN "auto_upgrade" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "plugin_installs" ADD COLUMN "previous" jsonb;--> statement-breakpoint
ALTER TABLE "developer_profiles" ADD CONSTRAINT "developer_profiles_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "developer_tokens" ADD CONSTRAINT "developer_tokens_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "marketplace_plugins" ADD CONSTRAINT "marketplace_plugins_developer_id_developer_profiles_user_id_fk" FOREIGN KEY ("developer_id") REFERENCES "public"."developer_profiles"("user_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "marketplace_versions" ADD CONSTRAINT "marketplace_versions_plugin_id_marketplace_plugins_plugin_id_fk" FOREIGN KEY ("plugin_id") REFERENCES "public"."marketplace_plugins"("plugin_id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "developer_tokens_user_idx" ON "developer_tokens" USING btree ("user_id");--> statement-breakpoint
CREATE INDEX "marketplace_versions_status_idx" ON "marketplace_versions" USING btree ("status","created_at");--> statement-breakpoint
-- Platform tables: reached only as app_platform (withPlatform), which holds no grant on any tenant
-- table; tenant requests (app_user, given every table by default) lose theirs on these.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app_platform') THEN
    CREATE ROLE app_platform NOLOGIN NOBYPASSRLS;
  END IF;
END $$;
--> statement-breakpoint
GRANT app_platform TO CURRENT_USER;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO app_platform;
--> statement-breakpoint
REVOKE ALL ON developer_profiles, developer_tokens, marketplace_plugins, marketplace_versions FROM app_user;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON developer_profiles, developer_tokens, marketplace_plugins, marketplace_versions TO app_platform;
--> statement-breakpoint
-- Across workspaces, for the marketplace: counts and ids only, never a workspace's data.
CREATE FUNCTION marketplace_install_counts(p_plugins text[])
RETURNS TABLE (plugin_id text, version text, installs bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT i.plugin_id, i.version, count(*) FROM plugin_installs i
  WHERE i.source = 'marketplace' AND i.plugin_id = ANY(p_plugins)
  GROUP BY 1, 2
$$;
--> statement-breakpoint
-- The installs of a listed plugin (one version, or all), for yanking and automatic upgrades.
CREATE FUNCTION marketplace_installs_of(p_plugin text, p_version text)
RETURNS TABLE (tenant_id uuid, install_id uuid, version text, auto_upgrade boolean)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT i.tenant_id, i.id, i.version, i.auto_upgrade FROM plugin_installs i
  WHERE i.source = 'marketplace' AND i.plugin_id = p_plugin AND (p_version IS NULL OR i.version = p_version)
$$;
--> statement-breakpoint
-- A developer's view of how their plugins fail: counts per version and error code, no messages
-- (a message may quote a workspace's data), no workspace ids.
CREATE FUNCTION marketplace_plugin_errors(p_plugins text[], p_since timestamptz)
RETURNS TABLE (plugin_id text, version text, code text, failures bigint, installs bigint, last_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT i.plugin_id, i.version, c.code, count(*), count(DISTINCT i.id), max(c.created_at)
  FROM plugin_calls c JOIN plugin_installs i ON i.tenant_id = c.tenant_id AND i.id = c.install_id
  WHERE i.source = 'marketplace' AND i.plugin_id = ANY(p_plugins) AND c.ok = 0 AND c.created_at >= p_since
  GROUP BY 1, 2, 3
$$;
--> statement-breakpoint
ALTER FUNCTION marketplace_install_counts(text[]) OWNER TO app_lookup;
--> statement-breakpoint
ALTER FUNCTION marketplace_installs_of(text, text) OWNER TO app_lookup;
--> statement-breakpoint
ALTER FUNCTION marketplace_plugin_errors(text[], timestamptz) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION marketplace_install_counts(text[]), marketplace_installs_of(text, text), marketplace_plugin_errors(text[], timestamptz) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION marketplace_install_counts(text[]), marketplace_installs_of(text, text), marketplace_plugin_errors(text[], timestamptz) TO CURRENT_USER;
