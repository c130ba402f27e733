DROP INDEX "activities_contact_idx";--> statement-breakpoint
DROP INDEX "activities_deal_idx";--> statement-breakpoint
DROP INDEX "deal_stage_history_deal_idx";--> statement-breakpoint
ALTER TABLE "companies" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "contacts" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "activities" ADD COLUMN "occurred_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "deal_stage_history" ADD COLUMN "changed_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "deals" ADD COLUMN "stage_entered_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "deals" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "sales_settings" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
CREATE INDEX "activities_contact_idx" ON "activities" USING btree ("tenant_id","contact_id","occurred_at");--> statement-breakpoint
CREATE INDEX "activities_deal_idx" ON "activities" USING btree ("tenant_id","deal_id","occurred_at");--> statement-breakpoint
CREATE INDEX "deal_stage_history_deal_idx" ON "deal_stage_history" USING btree ("tenant_id","deal_id","changed_at");--> statement-breakpoint
ALTER TABLE "deal_stage_history" DROP COLUMN "created_at";--> statement-breakpoint
ALTER TABLE "sales_settings" DROP COLUMN "created_at";