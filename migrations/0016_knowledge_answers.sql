CREATE TABLE "knowledge_unanswered" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"question" text NOT NULL,
	"question_key" text NOT NULL,
	"conversation_id" uuid,
	"asked_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "knowledge_settings" ADD COLUMN "forbidden_phrases" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "knowledge_settings" ADD COLUMN "forbidden_patterns" text[] DEFAULT '{}'::text[] NOT NULL;--> statement-breakpoint
ALTER TABLE "knowledge_unanswered" ADD CONSTRAINT "knowledge_unanswered_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "knowledge_unanswered_key_idx" ON "knowledge_unanswered" USING btree ("tenant_id","question_key","asked_at");--> statement-breakpoint
CREATE INDEX "knowledge_unanswered_conversation_idx" ON "knowledge_unanswered" USING btree ("tenant_id","conversation_id");