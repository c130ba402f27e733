import { z } from "zod";
import { defineEvent } from "./envelope.js";

const role = z.enum(["owner", "admin", "agent", "viewer"]);

// The versioned event catalogue. Add new types (or new versions of a type) here; never change a
// published version's shape.
export const tenantCreated = defineEvent("tenant.created", 1, z.object({ name: z.string() }));
export const userInvited = defineEvent("user.invited", 1, z.object({ email: z.string(), role }));
export const userJoined = defineEvent(
  "user.joined",
  1,
  z.object({ role, via: z.enum(["signup", "invite"]) }),
);
export const apiKeyCreated = defineEvent("api_key.created", 1, z.object({ name: z.string(), role }));
export const apiKeyRevoked = defineEvent("api_key.revoked", 1, z.object({ name: z.string() }));

export const eventSchema = z.discriminatedUnion("type", [
  tenantCreated,
  userInvited,
  userJoined,
  apiKeyCreated,
  apiKeyRevoked,
]);

export type AppEvent = z.infer<typeof eventSchema>;
export type EventType = AppEvent["type"];
export type EventOf<T extends EventType> = Extract<AppEvent, { type: T }>;
