/**
 * The app's main navigation, in order. A new screen is one line here plus its route in app/routes.ts.
 * `minRole` hides an entry from lower roles (the API enforces the same rule; this only avoids dead links).
 */
export type Role = "owner" | "admin" | "agent" | "viewer";

export type NavItem = { to: string; label: string; minRole?: Role };

export const NAV: NavItem[] = [
  { to: "/", label: "Home" },
  { to: "/onboarding", label: "Get started", minRole: "admin" },
  { to: "/inbox", label: "Inbox" },
  { to: "/contacts", label: "Contacts" },
  { to: "/companies", label: "Companies" },
  { to: "/leads", label: "Leads" },
  { to: "/deals", label: "Deals" },
  { to: "/routes", label: "Routes" },
  { to: "/knowledge", label: "Knowledge" },
  { to: "/reports", label: "Reports" },
  { to: "/marketplace", label: "Marketplace" },
  { to: "/settings", label: "Settings", minRole: "admin" },
  { to: "/developer", label: "Developer" },
  { to: "/dev/mailbox", label: "Mail outbox" },
];

const RANK: Record<Role, number> = { viewer: 0, agent: 1, admin: 2, owner: 3 };

export const allows = (role: Role, min: Role | undefined) => !min || RANK[role] >= RANK[min];
