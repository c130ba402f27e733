ALTER TABLE "lead_imports" ADD COLUMN "total_rows" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "lead_imports" ADD COLUMN "data" "bytea";--> statement-breakpoint
ALTER TABLE "lead_imports" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;