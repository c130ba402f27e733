// How the playbook console and the onboarding test chat say what answered a tried message: the same
// outcomes the widget's customer meets (POST /v1/routes/try runs the widget's turn).

export type TryOutcome = "playbook" | "knowledge" | "unanswered" | "handoff" | "fallback";

export type TriedTurn = {
  message: string;
  outcome: TryOutcome;
  routeId: string | null;
  routeName: string | null;
  confidence: number;
  reply: string | null;
  sources: { url?: string; title: string | null }[];
};

export function outcomeLabel(t: Pick<TriedTurn, "outcome" | "routeName" | "routeId" | "confidence">): string {
  switch (t.outcome) {
    case "playbook":
      return `Playbook “${t.routeName ?? t.routeId}”, confidence ${Math.round(t.confidence * 100)}%`;
    case "knowledge":
      return "Answered from your knowledge";
    case "unanswered":
      return "Not in your knowledge: the assistant says so and offers a person";
    case "handoff":
      return "Handed over to a person";
    default:
      return "No playbook matched";
  }
}

/** The fields of POST /v1/routes/try's answer the screens keep. */
export function triedTurn(
  message: string,
  data: {
    outcome: TryOutcome;
    routeId: string | null;
    routeName: string | null;
    confidence: number;
    reply: string | null;
    replies: { sources: { url?: string; title: string | null }[] }[];
  },
): TriedTurn {
  return {
    message,
    outcome: data.outcome,
    routeId: data.routeId,
    routeName: data.routeName,
    confidence: data.confidence,
    reply: data.reply,
    sources: data.replies.flatMap((r) => r.sources),
  };
}
