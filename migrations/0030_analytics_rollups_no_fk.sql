ALTER TABLE "analytics_rollups" DROP CONSTRAINT "analytics_rollups_tenant_id_tenants_id_fk";
--> statement-breakpoint
ALTER TABLE "analytics_rollups_daily" DROP CONSTRAINT "analytics_rollups_daily_tenant_id_tenants_id_fk";
