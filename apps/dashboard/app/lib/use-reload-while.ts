import { useEffect } from "react";
import { useRevalidator } from "react-router";

/**
 * While `active` (a crawl or an import runs), re-runs the page's loaders every `ms` to show progress;
 * a reload still in flight is not doubled.
 */
export function useReloadWhile(active: boolean, ms: number): void {
  const revalidator = useRevalidator();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (revalidator.state === "idle") void revalidator.revalidate();
    }, ms);
    return () => clearInterval(timer);
  }, [active, ms, revalidator]);
}
