ALTER TABLE "analytics_events" DROP CONSTRAINT "analytics_events_tenant_id_tenants_id_fk";
--> statement-breakpoint
DROP INDEX "analytics_events_tenant_type_time_idx";--> statement-breakpoint
CREATE INDEX "analytics_events_time_brin" ON "analytics_events" USING brin ("occurred_at");