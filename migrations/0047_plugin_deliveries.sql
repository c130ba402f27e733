CREATE TABLE "plugin_deliveries" (
	"tenant_id" uuid NOT NULL,
	"install_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"event_type" text NOT NULL,
	"event" jsonb NOT NULL,
	"status" text NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "plugin_deliveries_tenant_id_install_id_event_id_pk" PRIMARY KEY("tenant_id","install_id","event_id")
);
--> statement-breakpoint
ALTER TABLE "plugin_deliveries" ADD CONSTRAINT "plugin_deliveries_install_fk" FOREIGN KEY ("tenant_id","install_id") REFERENCES "public"."plugin_installs"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "plugin_deliveries_install_status_idx" ON "plugin_deliveries" USING btree ("tenant_id","install_id","status","updated_at");--> statement-breakpoint
SELECT enable_tenant_rls('plugin_deliveries');
