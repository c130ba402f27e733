export type AssignmentStrategy = "round_robin" | "weighted" | "least_loaded" | "specific";

/** What rules can match on. Empty/absent lists match anything. */
export type RuleConditions = {
  minScore?: number;
  maxScore?: number;
  territories?: string[];
  languages?: string[];
  products?: string[];
  sources?: string[];
};

export type AssignableLead = {
  score: number;
  territory: string | null;
  language: string | null;
  product: string | null;
  source: string;
};

export type Candidate = {
  userId: string;
  skills: string[];
  languages: string[];
  territories: string[];
  /** Most open leads this member may hold; null = unlimited. */
  capacity: number | null;
  openLeads: number;
  weight: number;
  timeZone: string;
  /** Day 0 = Sunday, "HH:MM" in the member's time zone; empty = always working. */
  workingHours: { day: number; start: string; end: string }[];
  /** Inclusive "YYYY-MM-DD" ranges in the member's time zone. */
  outOfOffice: { from: string; to: string }[];
  presence: "online" | "away" | "offline";
  lastAssignedAt: Date | string | null;
};

export type Skip = { userId: string; reason: string };

export type Pick = { userId: string | null; reason: string; skipped: Skip[] };
