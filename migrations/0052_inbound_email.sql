CREATE TABLE "inbound_email_addresses" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"local_part" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "inbound_email_addresses_local_part_key" UNIQUE("local_part")
);
--> statement-breakpoint
ALTER TABLE "channel_threads" ADD COLUMN "data" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "inbound_email_addresses" ADD CONSTRAINT "inbound_email_addresses_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
SELECT enable_tenant_rls('inbound_email_addresses');
--> statement-breakpoint
-- Mail arrives without credentials: the Email Worker asks whose address it was sent to (ids only),
-- then hands the message to that workspace's email channel as that workspace.
CREATE FUNCTION inbound_email_tenant(p_local text)
RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT tenant_id FROM inbound_email_addresses WHERE local_part = lower(p_local)
$$;
--> statement-breakpoint
ALTER FUNCTION inbound_email_tenant(text) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION inbound_email_tenant(text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION inbound_email_tenant(text) TO CURRENT_USER;
