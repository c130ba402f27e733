CREATE TABLE "record_tombstones" (
	"tenant_id" uuid NOT NULL,
	"object_type" text NOT NULL,
	"local_id" uuid NOT NULL,
	"deleted_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "record_tombstones_tenant_id_object_type_local_id_pk" PRIMARY KEY("tenant_id","object_type","local_id")
);
--> statement-breakpoint
CREATE TABLE "sync_links" (
	"tenant_id" uuid NOT NULL,
	"install_id" uuid NOT NULL,
	"object_type" text NOT NULL,
	"local_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"remote_version" text,
	"content_hash" text,
	"synced_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_links_tenant_id_install_id_object_type_local_id_pk" PRIMARY KEY("tenant_id","install_id","object_type","local_id"),
	CONSTRAINT "sync_links_external_key" UNIQUE("tenant_id","install_id","object_type","external_id")
);
--> statement-breakpoint
ALTER TABLE "sync_links" ADD CONSTRAINT "sync_links_install_fk" FOREIGN KEY ("tenant_id","install_id") REFERENCES "public"."plugin_installs"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "record_tombstones_recent_idx" ON "record_tombstones" USING btree ("tenant_id","object_type","deleted_at");--> statement-breakpoint
CREATE INDEX "contacts_tenant_updated_idx" ON "contacts" USING btree ("tenant_id","updated_at","id");--> statement-breakpoint
SELECT enable_tenant_rls(t) FROM unnest(ARRAY['sync_links', 'record_tombstones']::regclass[]) AS t;
--> statement-breakpoint
-- Workspaces holding tombstones older than their retention (ids only; the cron deletes as each).
CREATE FUNCTION record_tombstones_due(p_days integer, p_limit integer)
RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT DISTINCT tenant_id FROM record_tombstones
  WHERE deleted_at < now() - make_interval(days => p_days)
  LIMIT p_limit
$$;
--> statement-breakpoint
ALTER FUNCTION record_tombstones_due(integer, integer) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION record_tombstones_due(integer, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION record_tombstones_due(integer, integer) TO CURRENT_USER;
