CREATE TABLE "lead_intake_payloads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"message_id" text,
	"payload" jsonb NOT NULL,
	"outcome" text NOT NULL,
	"lead_id" uuid,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lead_intake_payloads_message_key" UNIQUE("tenant_id","message_id")
);
--> statement-breakpoint
CREATE TABLE "lead_intakes" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"secret_sealed" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"assign" boolean DEFAULT true NOT NULL,
	"mapping" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lead_intakes_id_key" UNIQUE("id")
);
--> statement-breakpoint
ALTER TABLE "lead_intakes" ADD CONSTRAINT "lead_intakes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "lead_intake_payloads_recent_idx" ON "lead_intake_payloads" USING btree ("tenant_id","created_at");--> statement-breakpoint
SELECT enable_tenant_rls(t) FROM unnest(ARRAY['lead_intakes', 'lead_intake_payloads']::regclass[]) AS t;
--> statement-breakpoint
-- A form tool posts without credentials: the endpoint asks whose intake the URL names (ids only), then
-- checks the signature with that workspace's secret, as that workspace.
CREATE FUNCTION lead_intake_tenant(p_intake uuid)
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT tenant_id FROM lead_intakes WHERE id = p_intake
$$;
--> statement-breakpoint
ALTER FUNCTION lead_intake_tenant(uuid) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION lead_intake_tenant(uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION lead_intake_tenant(uuid) TO CURRENT_USER;
