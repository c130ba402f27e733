CREATE TABLE "analytics_daily_zones" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"time_zone" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "analytics_rollups_daily" (
	"tenant_id" uuid NOT NULL,
	"time_zone" text NOT NULL,
	"type" text NOT NULL,
	"day" date NOT NULL,
	"channel" text DEFAULT '' NOT NULL,
	"route_id" text DEFAULT '' NOT NULL,
	"owner_id" text DEFAULT '' NOT NULL,
	"detail" text DEFAULT '' NOT NULL,
	"step" text DEFAULT '' NOT NULL,
	"currency" text DEFAULT '' NOT NULL,
	"count" bigint NOT NULL,
	"value_sum" double precision DEFAULT 0 NOT NULL,
	"value_count" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "analytics_rollups_daily_pk" PRIMARY KEY("tenant_id","time_zone","type","day","channel","route_id","owner_id","detail","step","currency")
);
--> statement-breakpoint
ALTER TABLE "analytics_daily_zones" ADD CONSTRAINT "analytics_daily_zones_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "analytics_rollups_daily" ADD CONSTRAINT "analytics_rollups_daily_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;