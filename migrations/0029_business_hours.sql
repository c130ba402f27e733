CREATE TABLE "business_hours" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"weekly" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"closed_dates" text[] DEFAULT '{}'::text[] NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "business_hours" ADD CONSTRAINT "business_hours_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- Hand-written: tenant isolation (drizzle-kit emits neither FORCE RLS nor policies).
SELECT enable_tenant_rls('business_hours');
