CREATE TABLE "analytics_dead_letters" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"event_id" uuid NOT NULL,
	"body" jsonb NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"replayed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"type" text NOT NULL,
	"version" smallint NOT NULL,
	"occurred_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_type" text NOT NULL,
	"actor_id" text,
	"conversation_id" text,
	"lead_id" text,
	"deal_id" text,
	"channel" text,
	"route_id" text,
	"owner_id" text,
	"detail" text,
	"step" text,
	"currency" text,
	"value" double precision,
	"subjects" jsonb NOT NULL,
	"properties" jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_rollups" (
	"tenant_id" uuid NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"type" text NOT NULL,
	"channel" text DEFAULT '' NOT NULL,
	"route_id" text DEFAULT '' NOT NULL,
	"owner_id" text DEFAULT '' NOT NULL,
	"detail" text DEFAULT '' NOT NULL,
	"step" text DEFAULT '' NOT NULL,
	"currency" text DEFAULT '' NOT NULL,
	"count" bigint NOT NULL,
	"value_sum" double precision DEFAULT 0 NOT NULL,
	"value_count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "analytics_rollups_pk" PRIMARY KEY("tenant_id","bucket","type","channel","route_id","owner_id","detail","step","currency")
);
--> statement-breakpoint
CREATE TABLE "analytics_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"retention_days" integer DEFAULT 400 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events_rejected" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"queue" text NOT NULL,
	"message_id" text NOT NULL,
	"claimed_tenant_id" text,
	"body" jsonb,
	"reason" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "analytics_dead_letters" ADD CONSTRAINT "analytics_dead_letters_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_events" ADD CONSTRAINT "analytics_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_rollups" ADD CONSTRAINT "analytics_rollups_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_settings" ADD CONSTRAINT "analytics_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "analytics_dead_letters_pending_idx" ON "analytics_dead_letters" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE INDEX "analytics_events_tenant_type_time_idx" ON "analytics_events" USING btree ("tenant_id","type","occurred_at");