CREATE TABLE "analytics_fold_state" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"snapshot" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "analytics_events" ADD COLUMN "ingest_xid" bigint;--> statement-breakpoint
ALTER TABLE "analytics_fold_state" ADD CONSTRAINT "analytics_fold_state_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "analytics_events_xid_brin" ON "analytics_events" USING brin ("ingest_xid");