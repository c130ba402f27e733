// Lead scoring: tenant rules applied to a lead's facts and engagement events.

export type FitOperator = "eq" | "neq" | "in" | "gte" | "lte" | "contains" | "exists";

/** A condition on one lead attribute (dotted paths are not supported: attributes are flat). */
export type FitCondition = { field: string; op: FitOperator; value?: unknown };

export type BantSignal = "budget" | "authority" | "need" | "timeline";

export type ScoringRule =
  | { kind: "fit"; label: string; points: number; condition: FitCondition }
  | {
      kind: "engagement";
      label: string;
      /** Points for one event of `eventType` that happened just now. */
      points: number;
      eventType: string;
      /** After this many days an event is worth half; after twice as many, a quarter. */
      halfLifeDays: number;
      /** At most this many events of the type count (keeps spam from inflating a score). */
      maxEvents?: number;
    }
  | {
      kind: "signal";
      label: string;
      points: number;
      signal: BantSignal;
      /** For budget: the least amount that earns the points. */
      minBudget?: number;
    };

export type LeadSignals = {
  budget?: number | null;
  authority?: boolean | null;
  need?: string | null;
  timeline?: string | null;
};

export type ScorableLead = { attributes: Record<string, unknown>; signals: LeadSignals };
export type EngagementEvent = { type: string; occurredAt: Date | string };

export type ScoreLine = { kind: "fit" | "engagement" | "signal"; label: string; points: number };
export type LeadScore = { score: number; breakdown: ScoreLine[] };
