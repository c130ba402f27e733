// The script as a graph: successors of each step and its strongly connected components.
import type { Step } from "./schema.js";

/** Next step ids a step can move to within the script (handoff and end are terminal). */
export function successors(step: Step): string[] {
  switch (step.kind) {
    case "say":
    case "ask":
    case "action":
      return [step.next];
    case "branch":
      return [...step.cases.map((c) => c.next), step.otherwise];
    default:
      return [];
  }
}

/** True when the step can leave the script on its own (terminal, or an ask that gives up with handoff/end). */
export function canExitScript(step: Step): boolean {
  if (step.kind === "handoff" || step.kind === "end") return true;
  return step.kind === "ask" && step.onMaxAttempts !== "skip";
}

/** Tarjan's algorithm; returns components with more than one step or a self-loop. */
export function cycles(ids: string[], edges: Map<string, string[]>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  const visit = (v: string): void => {
    idx.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, idx.get(w) as number));
    }
    if (low.get(v) === idx.get(v)) {
      const comp: string[] = [];
      let w: string | undefined;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1 || (edges.get(v) ?? []).includes(v)) out.push(comp.reverse());
    }
  };
  for (const v of ids) if (!idx.has(v)) visit(v);
  return out;
}
