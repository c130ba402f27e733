import type { Api, ApiError } from "./api.server.js";
import type { ACTIVITY_KINDS, Member } from "./crm.js";
import { type FormErrors, formErrors } from "./forms.js";

/** A loader's answer when the API could not give what the screen needs (the root ErrorBoundary shows it). */
export function loadFailed(what: string, response: Response): never {
  if (response.status === 404) throw new Response(`${what} not found`, { status: 404 });
  throw new Response(`Could not load ${what} (${response.status}). Try again.`, { status: response.status });
}

/** The workspace's members, for owner names and assignee pickers. */
export async function loadMembers(client: Api): Promise<Member[]> {
  const { data, response } = await client.GET("/v1/members");
  if (!data) loadFailed("members", response);
  return data.members.map((m) => ({ userId: m.userId, name: m.name, email: m.email, role: m.role }));
}

/** An API error body, or undefined when the answer was not one (a proxy's 502 page, say). */
function apiError(error: unknown): { error: ApiError } | undefined {
  const inner = (error as { error?: unknown } | undefined)?.error;
  return inner && typeof inner === "object" ? (error as { error: ApiError }) : undefined;
}

/** The message of an API error ("Conversation is closed"), for a one-line alert next to the control. */
export function errorMessage(error: unknown, fallback = "That did not work. Try again."): string {
  const message = (error as { error?: { message?: unknown } } | undefined)?.error?.message;
  if (typeof message !== "string" || !message) return fallback;
  return message.charAt(0).toUpperCase() + message.slice(1);
}

/**
 * intent=activity from <ActivityForm>: logs it against `link` (a contact or a deal). A datetime-local
 * due date has no zone; it is read as UTC like every time on these screens.
 */
export async function logActivity(
  client: Api,
  form: FormData,
  link: { contactId?: string; dealId?: string; companyId?: string },
) {
  const value = (name: string) => {
    const v = form.get(name);
    return typeof v === "string" ? v.trim() : "";
  };
  const kind = value("kind") as (typeof ACTIVITY_KINDS)[number];
  const due = kind === "task" && value("dueAt") ? new Date(`${value("dueAt")}:00Z`) : null;
  if (due && Number.isNaN(due.getTime()))
    return { errors: { fields: { dueAt: "Give a date and time." } } satisfies FormErrors };
  const { error } = await client.POST("/v1/activities", {
    body: {
      kind,
      subject: value("subject") || undefined,
      body: value("body") || undefined,
      ...link,
      dueAt: due ? due.toISOString() : undefined,
    },
  });
  if (error) return { errors: formErrors(apiError(error), ["kind", "subject", "body", "dueAt"]) };
  return { ok: true as const };
}
