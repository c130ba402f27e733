-- One source of presence: agent_presence (the inbox's). Presence set through the teams API lived on
-- team_members; carry anything but "online" over (one row per member, the inbox's value wins), then drop.
INSERT INTO "agent_presence" ("tenant_id", "user_id", "status")
SELECT DISTINCT ON ("tenant_id", "user_id") "tenant_id", "user_id", "presence" FROM "team_members"
WHERE "presence" <> 'online'
ORDER BY "tenant_id", "user_id", "presence"
ON CONFLICT DO NOTHING;--> statement-breakpoint
ALTER TABLE "team_members" DROP COLUMN "presence";