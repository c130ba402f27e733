import { ROLES } from "@autopilot/db";
import { z } from "@hono/zod-openapi";
import { errorBodySchema } from "../http/errors.js";

export const email = z.email().max(254).openapi({ example: "ada@example.com" });
export const password = z.string().min(10, "must be at least 10 characters").max(200);
export const role = z.enum(ROLES);
/** An IANA time zone the runtime knows ("Europe/Berlin"). */
export const timeZone = z
  .string()
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, "unknown time zone")
  .openapi({ example: "Europe/Berlin" });
/** A BCP 47 language tag, stored in its canonical form ("de-at" → "de-AT"). */
export const locale = z
  .string()
  .trim()
  .min(2)
  .max(35)
  .transform((tag, ctx) => {
    try {
      return Intl.getCanonicalLocales(tag)[0] ?? tag;
    } catch {
      ctx.addIssue({ code: "custom", message: "not a language tag such as en or de-AT" });
      return z.NEVER;
    }
  })
  .openapi({ example: "en", type: "string" });

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
