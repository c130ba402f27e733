-- Analytics (issue 22), hand-written. See apps/edge-api/src/analytics/fold.ts.
-- The write path split in two. Ingest (analytics_ingest, the queue consumer's one call per batch) now
-- only appends events: the cheapest exact thing, since ON CONFLICT (id) DO NOTHING still drops every
-- redelivered copy. The fold (analytics_fold, per tenant: the cron each minute, and every report before
-- it reads) adds the events not yet folded to the rollups and funnel tables with 0031's statements,
-- over many batches at once, where keys collapse far more.
-- Which events are folded: those whose inserting transaction (ingest_xid) is visible in the snapshot
-- the tenant's last fold ran in (analytics_fold_state.snapshot). The fold reads the events and writes
-- the new snapshot in one statement, so each committed event is folded by exactly the first fold that
-- sees it, whatever the order transactions commit in; folds of one tenant queue on its state row.
SELECT enable_tenant_rls('analytics_fold_state');
--> statement-breakpoint
-- Events stored before this migration (NULL) were added to the rollups by the old ingest. The xid8
-- as bigint: xid8 has no BRIN operator class, bigint does (and an xid8 fits: it is 64-bit, < 2^63).
ALTER TABLE analytics_events ALTER COLUMN ingest_xid SET DEFAULT pg_current_xact_id()::text::bigint;
--> statement-breakpoint
-- Ranges summarised as they fill (not only by VACUUM): the fold's scan of the tail skips the rest.
ALTER INDEX analytics_events_xid_brin SET (autosummarize = on);
--> statement-breakpoint
DROP FUNCTION analytics_ingest(json);
--> statement-breakpoint
-- p_groups and the result as in 0031. For each tenant (in tenant order), as app_user with the tenant
-- set (row-level security checks every row): the events insert, and the tenant's fold state created
-- on its first events (nothing folded yet), so the cron's sweep finds it.
CREATE FUNCTION analytics_ingest(p_groups json)
RETURNS TABLE (tenant_id uuid, time_zone text, duplicates uuid[])
LANGUAGE plpgsql AS $fn$
#variable_conflict use_column
DECLARE
  v_tenant uuid;
  v_rows json;
BEGIN
  SET LOCAL ROLE app_user;
  FOR v_tenant, v_rows IN
    SELECT g.tenant, g.rows FROM json_to_recordset(p_groups) AS g(tenant uuid, rows json) ORDER BY g.tenant
  LOOP
    PERFORM set_config('app.tenant_id', v_tenant::text, true);
    RETURN QUERY
    with input as (
      select * from json_to_recordset(v_rows) as x(
        id uuid, type text, version smallint, occurred_at timestamptz, actor_type text, actor_id text,
        conversation_id text, lead_id text, deal_id text, channel text, route_id text, owner_id text,
        detail text, step text, currency text, value float8, subjects text, properties text)
    ), ins as (
      insert into analytics_events as e (id, tenant_id, type, version, occurred_at, actor_type, actor_id,
        conversation_id, lead_id, deal_id, channel, route_id, owner_id, detail, step, currency, value,
        subjects, properties)
      select i.id, v_tenant, i.type, i.version, i.occurred_at, i.actor_type, i.actor_id, i.conversation_id,
        i.lead_id, i.deal_id, i.channel, i.route_id, i.owner_id, i.detail, i.step, i.currency, i.value,
        i.subjects::jsonb, i.properties::jsonb
      from input i order by i.id
      on conflict on constraint analytics_events_pkey do nothing
      returning e.id
    ), state as (
      insert into analytics_fold_state (tenant_id, snapshot) values (v_tenant, '1:1:')
      on conflict (tenant_id) do nothing
    )
    select v_tenant, (select t.time_zone from tenants t where t.id = v_tenant),
      array(select x.id from input x except select n.id from ins n);
  END LOOP;
END
$fn$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION analytics_ingest(json) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION analytics_ingest(json) TO CURRENT_USER;
--> statement-breakpoint
-- Folds the tenant's unfolded events; returns how many. Runs in the caller's tenant transaction (as
-- app_user with the tenant set). Locks in this order: the daily-rollup lock shared (daily.ts; a
-- rebuild holds it exclusive and takes it first), then the tenant's fold state row.
CREATE FUNCTION analytics_fold(p_tenant uuid)
RETURNS integer
LANGUAGE plpgsql
-- Planned with this call's snapshot bound: the BRIN index then finds the unfolded tail alone.
SET plan_cache_mode = force_custom_plan
AS $fn$
#variable_conflict use_column
DECLARE
  v_tenant uuid := p_tenant;
  v_snap pg_snapshot;
  v_xmin bigint;
  v_count integer;
BEGIN
  PERFORM pg_advisory_xact_lock_shared(hashtextextended('analytics_daily:' || v_tenant::text, 0));
  INSERT INTO analytics_fold_state (tenant_id, snapshot) VALUES (v_tenant, '1:1:')
    ON CONFLICT (tenant_id) DO NOTHING;
  -- Locked until commit, and read as the last fold left it (one we waited for included).
  SELECT s.snapshot::pg_snapshot INTO v_snap FROM analytics_fold_state s WHERE s.tenant_id = v_tenant FOR UPDATE;
  v_xmin := pg_snapshot_xmin(v_snap)::text::bigint;
  -- Nothing new (what a report finds most of the time): the snapshot moves on, in the statement that
  -- looked, so the next look starts later.
  UPDATE analytics_fold_state s SET snapshot = pg_current_snapshot()::text
  WHERE s.tenant_id = v_tenant AND NOT EXISTS (
    SELECT 1 FROM analytics_events e
    WHERE e.tenant_id = v_tenant AND e.ingest_xid >= v_xmin
      AND NOT pg_visible_in_snapshot(e.ingest_xid::text::xid8, v_snap));
  IF FOUND THEN
    RETURN 0;
  END IF;
  -- Folds what the statement's snapshot sees and records that snapshot, in one statement.
    with ins as (
      select e.id, e.type, e.occurred_at, e.conversation_id, e.lead_id, e.deal_id, e.channel, e.route_id,
        e.owner_id, e.detail, e.step, e.currency, e.value
      from analytics_events e
      where e.tenant_id = v_tenant and e.ingest_xid >= v_xmin
        and not pg_visible_in_snapshot(e.ingest_xid::text::xid8, v_snap)
    ), rolled as (
      insert into analytics_rollups as r (tenant_id, bucket, type, channel, route_id, owner_id, detail,
        step, currency, count, value_sum, value_count)
      select v_tenant, date_bin('15 minutes', i.occurred_at, timestamptz '2000-01-01 00:00:00+00'),
        i.type, coalesce(i.channel, ''), coalesce(i.route_id, ''), coalesce(i.owner_id, ''), coalesce(i.detail, ''),
        coalesce(i.step, ''), coalesce(i.currency, ''), count(*), coalesce(sum(i.value), 0), count(i.value)
      from ins i
      group by 2, 3, 4, 5, 6, 7, 8, 9
      order by 2, 3, 4, 5, 6, 7, 8, 9
      on conflict on constraint analytics_rollups_pk
      do update set count = r.count + excluded.count, value_sum = r.value_sum + excluded.value_sum,
        value_count = r.value_count + excluded.value_count
    ), daily as (
      insert into analytics_rollups_daily as d (tenant_id, time_zone, type, day, channel, route_id,
        owner_id, detail, step, currency, count, value_sum, value_count)
      select v_tenant, z.time_zone, i.type, (i.occurred_at at time zone z.time_zone)::date,
        coalesce(i.channel, ''), coalesce(i.route_id, ''), coalesce(i.owner_id, ''), coalesce(i.detail, ''),
        coalesce(i.step, ''), coalesce(i.currency, ''), count(*), coalesce(sum(i.value), 0), count(i.value)
      from ins i cross join (select dz.time_zone from analytics_daily_zones dz where dz.tenant_id = v_tenant) z
      group by 2, 3, 4, 5, 6, 7, 8, 9, 10
      order by 2, 3, 4, 5, 6, 7, 8, 9, 10
      on conflict on constraint analytics_rollups_daily_pk
      do update set count = d.count + excluded.count, value_sum = d.value_sum + excluded.value_sum,
        value_count = d.value_count + excluded.value_count
    ), deals as (
      insert into analytics_funnel_deals as f (tenant_id, deal_id, lead_id, created_at, won_at, last_at)
      select v_tenant, i.deal_id, max(i.lead_id) filter (where i.type = 'deal.created'),
        min(i.occurred_at) filter (where i.type = 'deal.created'), min(i.occurred_at) filter (where i.type = 'deal.won'),
        max(i.occurred_at)
      from ins i where i.type in ('deal.created', 'deal.won') and i.deal_id is not null
      group by i.deal_id order by i.deal_id
      on conflict on constraint analytics_funnel_deals_pk do update set lead_id = coalesce(f.lead_id, excluded.lead_id),
        created_at = least(f.created_at, excluded.created_at), won_at = least(f.won_at, excluded.won_at),
        last_at = greatest(f.last_at, excluded.last_at)
      returning f.lead_id, f.created_at, f.won_at, f.last_at
    ), leads as (
      insert into analytics_funnel_leads as f (tenant_id, lead_id, conversation_id, created_at, sql_at,
        deal_at, won_at, last_at)
      select v_tenant, s.lead_id, max(s.conversation_id), min(s.created_at), min(s.sql_at), min(s.deal_at),
        min(s.won_at), max(s.last_at)
      from (
        select i.lead_id, case when i.type = 'lead.created' then i.conversation_id end as conversation_id,
          case when i.type = 'lead.created' then i.occurred_at end as created_at,
          case when i.type = 'lead.status_changed' and i.detail in ('sql', 'converted') then i.occurred_at end as sql_at,
          null::timestamptz as deal_at, null::timestamptz as won_at, i.occurred_at as last_at
        from ins i where i.type in ('lead.created', 'lead.status_changed') and i.lead_id is not null
        union all
        select dl.lead_id, null, null, null, dl.created_at, dl.won_at, dl.last_at from deals dl where dl.lead_id is not null
      ) s
      group by s.lead_id order by s.lead_id
      on conflict on constraint analytics_funnel_leads_pk do update set
        conversation_id = coalesce(f.conversation_id, excluded.conversation_id),
        created_at = least(f.created_at, excluded.created_at), sql_at = least(f.sql_at, excluded.sql_at),
        deal_at = least(f.deal_at, excluded.deal_at), won_at = least(f.won_at, excluded.won_at),
        last_at = greatest(f.last_at, excluded.last_at)
      returning f.conversation_id, f.created_at, f.sql_at, f.deal_at, f.won_at, f.last_at
    ), funnel as (
      insert into analytics_funnel as f (tenant_id, conversation_id, started_at, channel, engaged_at,
        form_completed_at, lead_at, sql_at, deal_at, won_at, last_at)
      select v_tenant, s.conversation_id, min(s.started_at),
        (array_agg(s.channel order by s.started_at) filter (where s.started_at is not null))[1],
        min(s.engaged_at), min(s.form_at), min(s.lead_at), min(s.sql_at), min(s.deal_at), min(s.won_at), max(s.last_at)
      from (
        select i.conversation_id, case when i.type = 'conversation.started' then i.occurred_at end as started_at,
          case when i.type = 'conversation.started' then i.channel end as channel,
          case when i.type = 'message.received' then i.occurred_at end as engaged_at,
          case when i.type = 'form.completed' then i.occurred_at end as form_at,
          null::timestamptz as lead_at, null::timestamptz as sql_at, null::timestamptz as deal_at,
          null::timestamptz as won_at, i.occurred_at as last_at
        from ins i
        where i.type in ('conversation.started', 'message.received', 'form.completed') and i.conversation_id is not null
        union all
        select l.conversation_id, null, null, null, null, l.created_at, l.sql_at, l.deal_at, l.won_at, l.last_at
        from leads l where l.conversation_id is not null
      ) s
      group by s.conversation_id order by s.conversation_id
      on conflict on constraint analytics_funnel_pk do update set
        prev_started_at = f.started_at, prev_channel = f.channel,
        prev_stages = ((f.engaged_at is not null)::int + 2 * (f.form_completed_at is not null)::int
          + 4 * (f.lead_at is not null)::int + 8 * (f.sql_at is not null)::int
          + 16 * (f.deal_at is not null)::int + 32 * (f.won_at is not null)::int)::smallint,
        started_at = least(f.started_at, excluded.started_at),
        channel = case when excluded.started_at < f.started_at then excluded.channel
          else coalesce(f.channel, excluded.channel) end,
        engaged_at = least(f.engaged_at, excluded.engaged_at),
        form_completed_at = least(f.form_completed_at, excluded.form_completed_at),
        lead_at = least(f.lead_at, excluded.lead_at), sql_at = least(f.sql_at, excluded.sql_at),
        deal_at = least(f.deal_at, excluded.deal_at), won_at = least(f.won_at, excluded.won_at),
        last_at = greatest(f.last_at, excluded.last_at)
      returning f.started_at, f.channel, f.prev_started_at, f.prev_channel, f.prev_stages,
        ((f.engaged_at is not null)::int + 2 * (f.form_completed_at is not null)::int
          + 4 * (f.lead_at is not null)::int + 8 * (f.sql_at is not null)::int
          + 16 * (f.deal_at is not null)::int + 32 * (f.won_at is not null)::int) as stages
    ), cohort as (
      -- Each updated conversation moves from its previous (start day, channel, stages) to its new
      -- one: -1 there, +1 here; unchanged rows cancel out and write nothing.
      insert into analytics_funnel_daily as d (tenant_id, time_zone, day, channel, started, engaged,
        form_completed, leads, sqls, deals, won)
      select v_tenant, g.time_zone, g.day, g.channel, g.started, g.engaged, g.form_completed, g.leads,
        g.sqls, g.deals, g.won
      from (
        select z.time_zone, (c.at at time zone z.time_zone)::date as day, c.channel,
          sum(c.sign) as started, sum(c.sign * (c.stages & 1 <> 0)::int) as engaged,
          sum(c.sign * (c.stages & 2 <> 0)::int) as form_completed,
          sum(c.sign * (c.stages & 4 <> 0)::int) as leads, sum(c.sign * (c.stages & 8 <> 0)::int) as sqls,
          sum(c.sign * (c.stages & 16 <> 0)::int) as deals, sum(c.sign * (c.stages & 32 <> 0)::int) as won
        from (
          select fr.started_at as at, coalesce(fr.channel, '') as channel, 1 as sign, fr.stages
          from funnel fr where fr.started_at is not null
          union all
          select fr.prev_started_at, coalesce(fr.prev_channel, ''), -1, fr.prev_stages::int
          from funnel fr where fr.prev_started_at is not null
        ) c cross join (select dz.time_zone from analytics_daily_zones dz where dz.tenant_id = v_tenant) z
        group by 1, 2, 3
      ) g
      where (g.started, g.engaged, g.form_completed, g.leads, g.sqls, g.deals, g.won) <> (0, 0, 0, 0, 0, 0, 0)
      order by 2, 3, 4
      on conflict on constraint analytics_funnel_daily_pk do update set
        started = d.started + excluded.started, engaged = d.engaged + excluded.engaged,
        form_completed = d.form_completed + excluded.form_completed, leads = d.leads + excluded.leads,
        sqls = d.sqls + excluded.sqls, deals = d.deals + excluded.deals, won = d.won + excluded.won
    ), moved as (
      update analytics_fold_state s set snapshot = pg_current_snapshot()::text where s.tenant_id = v_tenant
    )
    select count(*) into v_count from ins;
  RETURN v_count;
END
$fn$;
--> statement-breakpoint
-- The tenants with events not yet folded (the cron's sweep): one scan of the events since the oldest
-- fold's snapshot, through the BRIN index. Across tenants, so a SECURITY DEFINER look-up owned by
-- app_lookup, like analytics_retention_due.
CREATE FUNCTION analytics_fold_due(p_limit integer)
RETURNS TABLE (tenant_id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp
SET plan_cache_mode = force_custom_plan
AS $fn$
#variable_conflict use_column
DECLARE
  v_from bigint;
BEGIN
  SELECT min(pg_snapshot_xmin(s.snapshot::pg_snapshot)::text::bigint) INTO v_from FROM analytics_fold_state s;
  RETURN QUERY
  SELECT DISTINCT e.tenant_id
  FROM analytics_events e JOIN analytics_fold_state s ON s.tenant_id = e.tenant_id
  WHERE e.ingest_xid >= v_from AND NOT pg_visible_in_snapshot(e.ingest_xid::text::xid8, s.snapshot::pg_snapshot)
  LIMIT p_limit;
END
$fn$;
--> statement-breakpoint
ALTER FUNCTION analytics_fold_due(integer) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION analytics_fold_due(integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION analytics_fold_due(integer) TO CURRENT_USER;
