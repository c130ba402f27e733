CREATE TABLE "analytics_funnel" (
	"tenant_id" uuid NOT NULL,
	"conversation_id" text NOT NULL,
	"started_at" timestamp with time zone,
	"channel" text,
	"engaged_at" timestamp with time zone,
	"form_completed_at" timestamp with time zone,
	"lead_at" timestamp with time zone,
	"sql_at" timestamp with time zone,
	"deal_at" timestamp with time zone,
	"won_at" timestamp with time zone,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "analytics_funnel_pk" PRIMARY KEY("tenant_id","conversation_id")
);
--> statement-breakpoint
CREATE TABLE "analytics_funnel_deals" (
	"tenant_id" uuid NOT NULL,
	"deal_id" text NOT NULL,
	"lead_id" text,
	"created_at" timestamp with time zone,
	"won_at" timestamp with time zone,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "analytics_funnel_deals_pk" PRIMARY KEY("tenant_id","deal_id")
);
--> statement-breakpoint
CREATE TABLE "analytics_funnel_leads" (
	"tenant_id" uuid NOT NULL,
	"lead_id" text NOT NULL,
	"conversation_id" text,
	"created_at" timestamp with time zone,
	"sql_at" timestamp with time zone,
	"deal_at" timestamp with time zone,
	"won_at" timestamp with time zone,
	"last_at" timestamp with time zone NOT NULL,
	CONSTRAINT "analytics_funnel_leads_pk" PRIMARY KEY("tenant_id","lead_id")
);
--> statement-breakpoint
CREATE TABLE "knowledge_chunks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"source_id" uuid NOT NULL,
	"page_id" uuid,
	"url" text,
	"heading_path" text[] NOT NULL,
	"heading_text" text DEFAULT '' NOT NULL,
	"text" text NOT NULL,
	"token_count" integer NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"content_hash" text NOT NULL,
	"language" "regconfig" DEFAULT 'english'::regconfig NOT NULL,
	"tsv" "tsvector" GENERATED ALWAYS AS (setweight(to_tsvector(language, heading_text), 'A') || setweight(to_tsvector(language, text), 'D')) STORED NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "knowledge_chunks_tenant_hash_key" UNIQUE("tenant_id","content_hash")
);
--> statement-breakpoint
CREATE TABLE "knowledge_pages" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"source_id" uuid NOT NULL,
	"url" text NOT NULL,
	"depth" smallint DEFAULT 0 NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"reason" text,
	"run_id" integer DEFAULT 0 NOT NULL,
	"title" text,
	"etag" text,
	"last_modified" text,
	"content_hash" text,
	"fetched_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "knowledge_pages_source_url_key" UNIQUE("tenant_id","source_id","url"),
	CONSTRAINT "knowledge_pages_tenant_id_key" UNIQUE("tenant_id","id")
);
--> statement-breakpoint
CREATE TABLE "knowledge_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"language" "regconfig" DEFAULT 'english'::regconfig NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "knowledge_sources" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"name" text NOT NULL,
	"config" jsonb NOT NULL,
	"status" text DEFAULT 'idle' NOT NULL,
	"run_id" integer DEFAULT 0 NOT NULL,
	"refresh_interval_hours" integer,
	"next_refresh_at" timestamp with time zone,
	"last_run_started_at" timestamp with time zone,
	"last_run_finished_at" timestamp with time zone,
	"last_error" text,
	"page_count" integer DEFAULT 0 NOT NULL,
	"chunk_count" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "knowledge_sources_tenant_id_key" UNIQUE("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "knowledge_chunks" ADD CONSTRAINT "knowledge_chunks_source_fk" FOREIGN KEY ("tenant_id","source_id") REFERENCES "public"."knowledge_sources"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_chunks" ADD CONSTRAINT "knowledge_chunks_page_fk" FOREIGN KEY ("tenant_id","page_id") REFERENCES "public"."knowledge_pages"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_pages" ADD CONSTRAINT "knowledge_pages_source_fk" FOREIGN KEY ("tenant_id","source_id") REFERENCES "public"."knowledge_sources"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_settings" ADD CONSTRAINT "knowledge_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "knowledge_sources" ADD CONSTRAINT "knowledge_sources_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "analytics_funnel_started_idx" ON "analytics_funnel" USING btree ("tenant_id","started_at");--> statement-breakpoint
CREATE INDEX "knowledge_chunks_page_idx" ON "knowledge_chunks" USING btree ("tenant_id","page_id");--> statement-breakpoint
CREATE INDEX "knowledge_chunks_source_idx" ON "knowledge_chunks" USING btree ("tenant_id","source_id");--> statement-breakpoint
CREATE INDEX "knowledge_chunks_tsv_idx" ON "knowledge_chunks" USING gin ("tsv");--> statement-breakpoint
CREATE INDEX "knowledge_pages_queue_idx" ON "knowledge_pages" USING btree ("tenant_id","source_id","status");--> statement-breakpoint
CREATE INDEX "knowledge_sources_due_idx" ON "knowledge_sources" USING btree ("next_refresh_at");