import { index, layout, type RouteConfig, route } from "@react-router/dev/routes";

// Every screen's URL, in one place. Screens behind sign-in sit under routes/app-layout.tsx (navigation,
// the signed-in user); the sign-in screens under routes/auth-layout.tsx (a centred card).
export default [
  layout("routes/auth-layout.tsx", [
    route("login", "routes/login.tsx"),
    route("signup", "routes/signup.tsx"),
    route("verify-email", "routes/verify-email.tsx"),
    route("reset-password", "routes/reset-password.tsx"),
    route("accept-invite", "routes/accept-invite.tsx"),
  ]),
  route("logout", "routes/logout.tsx"),
  layout("routes/app-layout.tsx", [
    route("dev/mailbox", "routes/dev-mailbox.tsx"),
    index("routes/home.tsx"),
    route("onboarding", "routes/onboarding.tsx"),
    route("inbox", "routes/inbox.tsx"),
    route("inbox/:id", "routes/inbox-conversation.tsx"),
    route("contacts", "routes/contacts.tsx"),
    route("contacts/:id", "routes/contact.tsx"),
    route("companies", "routes/companies.tsx"),
    route("companies/:id", "routes/company.tsx"),
    route("leads", "routes/leads.tsx"),
    route("leads/import", "routes/leads-import.tsx"),
    route("leads/:id", "routes/lead.tsx"),
    route("deals", "routes/deals.tsx"),
    route("deals/:id", "routes/deal.tsx"),
    route("routes", "routes/routes-list.tsx"),
    route("routes/new", "routes/route-new.tsx"),
    route("routes/:id", "routes/route-edit.tsx"),
    route("reports", "routes/reports.tsx"),
    route("knowledge", "routes/knowledge.tsx"),
    route("settings", "routes/settings.tsx", [
      index("routes/settings-team.tsx"),
      route("assignment", "routes/settings-assignment.tsx"),
      route("pipelines", "routes/settings-pipelines.tsx"),
      route("api-keys", "routes/settings-api-keys.tsx"),
      route("ai", "routes/settings-ai.tsx"),
      route("hours", "routes/settings-hours.tsx"),
      route("workspace", "routes/settings-workspace.tsx"),
    ]),
  ]),
] satisfies RouteConfig;
