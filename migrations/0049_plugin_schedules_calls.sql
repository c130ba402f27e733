CREATE TABLE "plugin_calls" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"install_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"name" text,
	"ok" integer NOT NULL,
	"code" text,
	"error" text,
	"ms" integer NOT NULL,
	"logs" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "plugin_schedules" (
	"tenant_id" uuid NOT NULL,
	"install_id" uuid NOT NULL,
	"name" text NOT NULL,
	"every_minutes" integer NOT NULL,
	"next_at" timestamp with time zone NOT NULL,
	CONSTRAINT "plugin_schedules_tenant_id_install_id_name_pk" PRIMARY KEY("tenant_id","install_id","name")
);
--> statement-breakpoint
ALTER TABLE "plugin_calls" ADD CONSTRAINT "plugin_calls_install_fk" FOREIGN KEY ("tenant_id","install_id") REFERENCES "public"."plugin_installs"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "plugin_schedules" ADD CONSTRAINT "plugin_schedules_install_fk" FOREIGN KEY ("tenant_id","install_id") REFERENCES "public"."plugin_installs"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "plugin_calls_install_time_idx" ON "plugin_calls" USING btree ("tenant_id","install_id","created_at");--> statement-breakpoint
CREATE INDEX "plugin_schedules_due_idx" ON "plugin_schedules" USING btree ("next_at");--> statement-breakpoint
SELECT enable_tenant_rls(t) FROM unnest(ARRAY['plugin_schedules', 'plugin_calls']::regclass[]) AS t;
--> statement-breakpoint
-- The cron's look-up: schedules due now, of active installs (ids only; each runs as its workspace).
CREATE FUNCTION plugin_schedules_due(p_limit integer)
RETURNS TABLE (tenant_id uuid, install_id uuid, name text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT s.tenant_id, s.install_id, s.name FROM plugin_schedules s
  JOIN plugin_installs i ON i.tenant_id = s.tenant_id AND i.id = s.install_id
  WHERE s.next_at <= now() AND i.status = 'active'
  ORDER BY s.next_at
  LIMIT p_limit
$$;
--> statement-breakpoint
ALTER FUNCTION plugin_schedules_due(integer) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION plugin_schedules_due(integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION plugin_schedules_due(integer) TO CURRENT_USER;
--> statement-breakpoint
-- Workspaces holding calls older than the retention (ids only; the cron deletes as each workspace).
CREATE FUNCTION plugin_calls_due(p_days integer, p_limit integer)
RETURNS TABLE (tenant_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT DISTINCT tenant_id FROM plugin_calls
  WHERE created_at < now() - make_interval(days => p_days)
  LIMIT p_limit
$$;
--> statement-breakpoint
ALTER FUNCTION plugin_calls_due(integer, integer) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION plugin_calls_due(integer, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION plugin_calls_due(integer, integer) TO CURRENT_USER;
