import { DurableObject } from "cloudflare:workers";

// One object per tenant: the daily AI token budget (DESIGN §3 "Abuse limits"). Counted in the
// object's SQLite so a restart does not reset a tenant's spend.

export type BudgetDecision = { allowed: boolean; used: number; budget: number };

export class AiBudget extends DurableObject {
  private readonly sql = this.ctx.storage.sql;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.sql.exec("CREATE TABLE IF NOT EXISTS usage (day TEXT PRIMARY KEY, tokens INTEGER NOT NULL)");
  }

  private used(day: string): number {
    return (
      this.sql.exec<{ tokens: number }>("SELECT tokens FROM usage WHERE day = ?", day).toArray()[0]?.tokens ??
      0
    );
  }

  check(budget: number): BudgetDecision {
    const used = this.used(today());
    return { allowed: used < budget, used, budget };
  }

  charge(tokens: number, budget: number): BudgetDecision {
    const day = today();
    const used = this.used(day) + Math.max(0, Math.floor(tokens));
    this.sql.exec(
      "INSERT INTO usage (day, tokens) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET tokens = excluded.tokens",
      day,
      used,
    );
    // Old days are kept a week for support questions, then dropped.
    this.sql.exec(
      "DELETE FROM usage WHERE day < ?",
      new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10),
    );
    return { allowed: used < budget, used, budget };
  }
}

const today = () => new Date().toISOString().slice(0, 10);
