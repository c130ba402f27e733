CREATE TABLE "deal_forecast_rollup" (
	"tenant_id" uuid NOT NULL,
	"pipeline_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"month" integer NOT NULL,
	"owner_id" uuid,
	"stage_id" uuid NOT NULL,
	"forecast_category" text NOT NULL,
	"deals" integer NOT NULL,
	"amount" numeric NOT NULL,
	"cycle_seconds" numeric NOT NULL,
	CONSTRAINT "deal_forecast_rollup_key" UNIQUE NULLS NOT DISTINCT("tenant_id","currency","pipeline_id","month","owner_id","stage_id","forecast_category")
);
--> statement-breakpoint
CREATE TABLE "deal_stage_outcomes" (
	"tenant_id" uuid NOT NULL,
	"pipeline_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"stage_id" uuid NOT NULL,
	"won" integer NOT NULL,
	"lost" integer NOT NULL,
	CONSTRAINT "deal_stage_outcomes_tenant_id_currency_pipeline_id_stage_id_pk" PRIMARY KEY("tenant_id","currency","pipeline_id","stage_id")
);
--> statement-breakpoint
ALTER TABLE "deal_forecast_rollup" ADD CONSTRAINT "deal_forecast_rollup_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "deal_stage_outcomes" ADD CONSTRAINT "deal_stage_outcomes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;