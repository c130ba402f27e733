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
  route("dev/mailbox", "routes/dev-mailbox.tsx"),
  layout("routes/app-layout.tsx", [index("routes/home.tsx"), route("onboarding", "routes/onboarding.tsx")]),
] satisfies RouteConfig;
