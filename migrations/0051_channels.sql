CREATE TABLE "channel_messages" (
	"tenant_id" uuid NOT NULL,
	"install_id" uuid NOT NULL,
	"external_id" text NOT NULL,
	"conversation_id" uuid NOT NULL,
	"seq" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channel_messages_tenant_id_install_id_external_id_pk" PRIMARY KEY("tenant_id","install_id","external_id")
);
--> statement-breakpoint
CREATE TABLE "channel_threads" (
	"tenant_id" uuid NOT NULL,
	"install_id" uuid NOT NULL,
	"thread_id" text NOT NULL,
	"conversation_id" uuid NOT NULL,
	"contact_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "channel_threads_tenant_id_install_id_thread_id_pk" PRIMARY KEY("tenant_id","install_id","thread_id")
);
--> statement-breakpoint
CREATE TABLE "contact_channels" (
	"tenant_id" uuid NOT NULL,
	"channel" text NOT NULL,
	"external_id" text NOT NULL,
	"contact_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "contact_channels_tenant_id_channel_external_id_pk" PRIMARY KEY("tenant_id","channel","external_id")
);
--> statement-breakpoint
ALTER TABLE "channel_messages" ADD CONSTRAINT "channel_messages_install_fk" FOREIGN KEY ("tenant_id","install_id") REFERENCES "public"."plugin_installs"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "channel_threads" ADD CONSTRAINT "channel_threads_install_fk" FOREIGN KEY ("tenant_id","install_id") REFERENCES "public"."plugin_installs"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "contact_channels" ADD CONSTRAINT "contact_channels_contact_fk" FOREIGN KEY ("tenant_id","contact_id") REFERENCES "public"."contacts"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "channel_threads_conversation_idx" ON "channel_threads" USING btree ("tenant_id","conversation_id");--> statement-breakpoint
SELECT enable_tenant_rls(t) FROM unnest(ARRAY['channel_threads', 'contact_channels', 'channel_messages']::regclass[]) AS t;
