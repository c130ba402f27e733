CREATE TABLE "analytics_funnel_daily" (
	"tenant_id" uuid NOT NULL,
	"time_zone" text NOT NULL,
	"day" date NOT NULL,
	"channel" text DEFAULT '' NOT NULL,
	"started" bigint DEFAULT 0 NOT NULL,
	"engaged" bigint DEFAULT 0 NOT NULL,
	"form_completed" bigint DEFAULT 0 NOT NULL,
	"leads" bigint DEFAULT 0 NOT NULL,
	"sqls" bigint DEFAULT 0 NOT NULL,
	"deals" bigint DEFAULT 0 NOT NULL,
	"won" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "analytics_funnel_daily_pk" PRIMARY KEY("tenant_id","time_zone","day","channel")
);
--> statement-breakpoint
ALTER TABLE "analytics_funnel" ADD COLUMN "prev_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "analytics_funnel" ADD COLUMN "prev_channel" text;--> statement-breakpoint
ALTER TABLE "analytics_funnel" ADD COLUMN "prev_stages" smallint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "analytics_settings" ADD COLUMN "dead_letter_retention_days" integer DEFAULT 30 NOT NULL;