import { ROLES } from "@autopilot/db";
import { z } from "@hono/zod-openapi";
import { errorBodySchema } from "../http/errors.js";

export const email = z.email().max(254).openapi({ example: "ada@example.com" });
export const password = z.string().min(10, "must be at least 10 characters").max(200);
export const role = z.enum(ROLES);
export const uuidParam = (name: string) =>
  z.object({ [name]: z.uuid().openapi({ param: { name, in: "path" } }) }) as z.ZodObject<
    Record<string, z.ZodType<string>>
  >;

export const jsonBody = <T extends z.ZodType>(schema: T) => ({
  body: { required: true, content: { "application/json": { schema } } },
});

export const jsonResponse = <T extends z.ZodType>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});

const err = (description: string) => ({
  content: { "application/json": { schema: errorBodySchema } },
  description,
});
export const errors = {
  400: err("Invalid input; the message names the field"),
  401: err("Not authenticated"),
  403: err("Not allowed"),
  404: err("Not found"),
  409: err("Conflict"),
  429: err("Rate limited; see Retry-After"),
} as const;

export const okSchema = z.object({ ok: z.literal(true) }).openapi("Ok");

export const signedInSchema = z
  .object({
    user: z.object({ id: z.uuid() }),
    tenant: z.object({ id: z.uuid() }),
    role,
    csrfToken: z.string().openapi({ description: "Send as X-CSRF-Token on cookie-authenticated mutations" }),
    expiresAt: z.string(),
  })
  .openapi("SignedIn");
