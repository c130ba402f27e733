-- Forecast rollups (issue 6; tables from the schema in 0018): kept by triggers in the same transaction
-- as every deal and stage-history write, so no code path can forget them; forced RLS like every tenant table.
-- deal_rollups_rebuild is the definition the triggers keep incrementally (used for the backfill, a
-- tenant's time zone change, and by tests to check the incremental result).
CREATE FUNCTION deal_forecast_rows(changes text) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  -- One rollup delta per key from `changes` (rows of deals with a sign column): the forecast month is
  -- the expected close month for deals in an open stage, the month closed (in the tenant's zone) otherwise.
  SELECT format($q$
    SELECT d.tenant_id, d.currency, d.pipeline_id,
           coalesce(to_char(CASE WHEN s.category = 'open' THEN d.expected_close_date::timestamp
                                 ELSE d.closed_at AT TIME ZONE t.time_zone END, 'YYYYMM')::int, 0) AS month,
           d.owner_id, d.stage_id, d.forecast_category,
           sum(d.sign)::int AS deals, sum(d.sign * d.amount) AS amount,
           coalesce(sum(d.sign * extract(epoch FROM d.closed_at - d.created_at)), 0) AS cycle_seconds
    FROM (%s) d
    JOIN stages s ON s.tenant_id = d.tenant_id AND s.id = d.stage_id
    JOIN tenants t ON t.id = d.tenant_id
    GROUP BY 1, 2, 3, 4, 5, 6, 7
    HAVING sum(d.sign) <> 0 OR sum(d.sign * d.amount) <> 0
        OR coalesce(sum(d.sign * extract(epoch FROM d.closed_at - d.created_at)), 0) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6, 7$q$, changes)
$$;
--> statement-breakpoint
CREATE FUNCTION deal_forecast_rollup_apply() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  cols constant text := 'tenant_id, pipeline_id, stage_id, currency, amount, expected_close_date, '
    'forecast_category, owner_id, closed_at, created_at';
  changes text;
  touched bigint;
BEGIN
  changes := CASE TG_OP
    WHEN 'INSERT' THEN format('SELECT %s, 1 AS sign FROM new_deals', cols)
    WHEN 'DELETE' THEN format('SELECT %s, -1 AS sign FROM old_deals', cols)
    ELSE format('SELECT %s, 1 AS sign FROM new_deals UNION ALL SELECT %s, -1 FROM old_deals', cols, cols)
  END;
  EXECUTE format($q$
    INSERT INTO deal_forecast_rollup AS r (tenant_id, currency, pipeline_id, month, owner_id, stage_id,
                                           forecast_category, deals, amount, cycle_seconds)
    %s
    ON CONFLICT ON CONSTRAINT deal_forecast_rollup_key DO UPDATE
      SET deals = r.deals + excluded.deals, amount = r.amount + excluded.amount,
          cycle_seconds = r.cycle_seconds + excluded.cycle_seconds$q$, deal_forecast_rows(changes));
  GET DIAGNOSTICS touched = ROW_COUNT;
  IF touched > 0 THEN -- drop keys no deal is in any more
    EXECUTE format('DELETE FROM deal_forecast_rollup WHERE deals = 0 AND tenant_id IN (SELECT tenant_id FROM (%s) c)',
                   changes);
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER deals_forecast_insert AFTER INSERT ON deals REFERENCING NEW TABLE AS new_deals
  FOR EACH STATEMENT EXECUTE FUNCTION deal_forecast_rollup_apply();
--> statement-breakpoint
CREATE TRIGGER deals_forecast_update AFTER UPDATE ON deals REFERENCING OLD TABLE AS old_deals NEW TABLE AS new_deals
  FOR EACH STATEMENT EXECUTE FUNCTION deal_forecast_rollup_apply();
--> statement-breakpoint
CREATE TRIGGER deals_forecast_delete AFTER DELETE ON deals REFERENCING OLD TABLE AS old_deals
  FOR EACH STATEMENT EXECUTE FUNCTION deal_forecast_rollup_apply();
--> statement-breakpoint
-- Win rate by stage: a closed deal counts once (won or lost) for every stage it reached. A stage is
-- reached when its first history row for the deal is written; the outcome moves when the deal's stage
-- category or currency changes; a deleted deal takes its counts with it (before its history cascades).
CREATE FUNCTION deal_stage_outcomes_add(p_tenant uuid, p_deal uuid, p_pipeline uuid, p_currency text,
                                        p_category text, p_sign int) RETURNS void
LANGUAGE sql AS $$
  INSERT INTO deal_stage_outcomes AS o (tenant_id, pipeline_id, currency, stage_id, won, lost)
  SELECT p_tenant, p_pipeline, p_currency, h.to_stage_id,
         p_sign * (p_category = 'won')::int, p_sign * (p_category = 'lost')::int
  FROM (SELECT DISTINCT to_stage_id FROM deal_stage_history WHERE tenant_id = p_tenant AND deal_id = p_deal) h
  WHERE p_category <> 'open'
  ORDER BY h.to_stage_id
  ON CONFLICT (tenant_id, currency, pipeline_id, stage_id) DO UPDATE
    SET won = o.won + excluded.won, lost = o.lost + excluded.lost
$$;
--> statement-breakpoint
CREATE FUNCTION deal_stage_outcomes_deal() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  old_category text;
  new_category text;
BEGIN
  SELECT category INTO old_category FROM stages WHERE tenant_id = OLD.tenant_id AND id = OLD.stage_id;
  IF TG_OP = 'DELETE' THEN
    PERFORM deal_stage_outcomes_add(OLD.tenant_id, OLD.id, OLD.pipeline_id, OLD.currency, old_category, -1);
    RETURN OLD;
  END IF;
  SELECT category INTO new_category FROM stages WHERE tenant_id = NEW.tenant_id AND id = NEW.stage_id;
  IF old_category IS DISTINCT FROM new_category OR OLD.currency IS DISTINCT FROM NEW.currency THEN
    PERFORM deal_stage_outcomes_add(OLD.tenant_id, OLD.id, OLD.pipeline_id, OLD.currency, old_category, -1);
    PERFORM deal_stage_outcomes_add(NEW.tenant_id, NEW.id, NEW.pipeline_id, NEW.currency, new_category, 1);
  END IF;
  RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER deals_outcomes_update AFTER UPDATE OF stage_id, currency ON deals
  FOR EACH ROW WHEN (OLD.stage_id IS DISTINCT FROM NEW.stage_id OR OLD.currency IS DISTINCT FROM NEW.currency)
  EXECUTE FUNCTION deal_stage_outcomes_deal();
--> statement-breakpoint
CREATE TRIGGER deals_outcomes_delete BEFORE DELETE ON deals
  FOR EACH ROW EXECUTE FUNCTION deal_stage_outcomes_deal();
--> statement-breakpoint
CREATE FUNCTION deal_stage_outcomes_reached() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  -- Stages first reached by this statement's rows, for deals that are closed now.
  INSERT INTO deal_stage_outcomes AS o (tenant_id, pipeline_id, currency, stage_id, won, lost)
  SELECT d.tenant_id, d.pipeline_id, d.currency, n.to_stage_id,
         count(*) FILTER (WHERE s.category = 'won'), count(*) FILTER (WHERE s.category = 'lost')
  FROM (SELECT tenant_id, deal_id, to_stage_id, count(*) AS rows FROM new_history GROUP BY 1, 2, 3) n
  JOIN deals d ON d.tenant_id = n.tenant_id AND d.id = n.deal_id
  JOIN stages s ON s.tenant_id = d.tenant_id AND s.id = d.stage_id AND s.category <> 'open'
  -- first reached: every history row of the deal for that stage is one of this statement's
  WHERE (SELECT count(*) FROM deal_stage_history h
         WHERE h.tenant_id = n.tenant_id AND h.deal_id = n.deal_id AND h.to_stage_id = n.to_stage_id) = n.rows
  GROUP BY 1, 2, 3, 4
  ORDER BY 1, 2, 3, 4
  ON CONFLICT (tenant_id, currency, pipeline_id, stage_id) DO UPDATE
    SET won = o.won + excluded.won, lost = o.lost + excluded.lost;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER deal_stage_history_outcomes AFTER INSERT ON deal_stage_history REFERENCING NEW TABLE AS new_history
  FOR EACH STATEMENT EXECUTE FUNCTION deal_stage_outcomes_reached();
--> statement-breakpoint
-- Both rollups from scratch for one tenant (all tenants when null): the backfill, a time zone change,
-- and the tests' check that the triggers kept them exactly.
CREATE FUNCTION deal_rollups_rebuild(p_tenant uuid) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM deal_forecast_rollup WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  DELETE FROM deal_stage_outcomes WHERE p_tenant IS NULL OR tenant_id = p_tenant;
  EXECUTE format('INSERT INTO deal_forecast_rollup (tenant_id, currency, pipeline_id, month, owner_id, stage_id, '
                 'forecast_category, deals, amount, cycle_seconds) %s',
    deal_forecast_rows('SELECT tenant_id, pipeline_id, stage_id, currency, amount, expected_close_date, '
                       'forecast_category, owner_id, closed_at, created_at, 1 AS sign FROM deals '
                       'WHERE $1 IS NULL OR tenant_id = $1')) USING p_tenant;
  INSERT INTO deal_stage_outcomes (tenant_id, pipeline_id, currency, stage_id, won, lost)
  SELECT d.tenant_id, d.pipeline_id, d.currency, h.to_stage_id,
         count(DISTINCT d.id) FILTER (WHERE s.category = 'won'), count(DISTINCT d.id) FILTER (WHERE s.category = 'lost')
  FROM deals d
  JOIN stages s ON s.tenant_id = d.tenant_id AND s.id = d.stage_id AND s.category <> 'open'
  JOIN deal_stage_history h ON h.tenant_id = d.tenant_id AND h.deal_id = d.id
  WHERE p_tenant IS NULL OR d.tenant_id = p_tenant
  GROUP BY 1, 2, 3, 4;
END $$;
--> statement-breakpoint
-- Closed deals' months are in the tenant's zone: a new zone moves them.
CREATE FUNCTION deal_rollups_zone_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM deal_rollups_rebuild(NEW.id);
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER tenants_deal_rollups_zone AFTER UPDATE OF time_zone ON tenants
  FOR EACH ROW WHEN (OLD.time_zone IS DISTINCT FROM NEW.time_zone)
  EXECUTE FUNCTION deal_rollups_zone_changed();
--> statement-breakpoint
SELECT deal_rollups_rebuild(NULL);
--> statement-breakpoint
SELECT enable_tenant_rls(t) FROM unnest(ARRAY['deal_forecast_rollup', 'deal_stage_outcomes']::regclass[]) AS t;
