-- Hand-edited: deleting a contact unlinks its conversations (SET NULL on contact_id only; the
-- composite key's tenant_id stays). drizzle-kit cannot express a column list here.
ALTER TABLE "conversations" ADD COLUMN "contact_id" uuid;--> statement-breakpoint
ALTER TABLE "conversations" ADD CONSTRAINT "conversations_tenant_id_contact_id_contacts_tenant_id_id_fk" FOREIGN KEY ("tenant_id","contact_id") REFERENCES "public"."contacts"("tenant_id","id") ON DELETE SET NULL ("contact_id") ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "conversations_contact_idx" ON "conversations" USING btree ("tenant_id","contact_id");