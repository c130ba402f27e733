-- Lexical knowledge search (issue 5), hand-written. Why a SECURITY DEFINER function: under row-level
-- security Postgres may not evaluate a non-leakproof operator before the policy's check, and the
-- text-search match `tsv @@ query` is not leakproof, so as app_user the GIN index cannot be used
-- and every search scans all of the tenant's chunks (≈ 1 s at 100,000). As app_lookup, whose
-- policy is `true`, the index is used. The function never takes a tenant: it searches the tenant of
-- the calling transaction (app_tenant(), set by withTenant), returns ids and scores only, and the
-- caller reads the rows themselves as app_user, under RLS again.
--
-- Candidates come in tiers of boolean queries the GIN index answers without reading the table —
-- every term, all terms but one, any two terms, any term — each tried only if the ones before
-- found fewer than p_limit rows, each reading at most p_candidates rows; rows are ordered by tier
-- (how many of the question's words they hold), then ts_rank_cd with all the question's words.
-- A word in more than 20% of chunks (by the column's pg_stats lexeme frequencies, table-wide) picks
-- no candidates, since its posting list is most of the table, but still counts in the rank.
CREATE FUNCTION knowledge_lexical_search(p_query text, p_limit integer, p_candidates integer)
RETURNS TABLE (chunk_id uuid, tier integer, rank real)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  with stats as materialized (
    select s.most_common_elems::text::text[] as elems, s.most_common_elem_freqs as freqs
    from pg_stats s
    where s.schemaname = 'public' and s.tablename = 'knowledge_chunks' and s.attname = 'tsv'
  ),
  words as (
    select t.lexeme, quote_literal(t.lexeme) as lit,
           coalesce((select freqs[array_position(elems, t.lexeme)] from stats), 0) as freq
    from unnest(tsvector_to_array(to_tsvector(
           coalesce((select language from knowledge_settings where tenant_id = app_tenant()), 'english'::regconfig),
           left(p_query, 1000)))) as t(lexeme)
    -- A backslash would need escaping in a tsquery literal; the parsers never make one anyway.
    where strpos(t.lexeme, chr(92)) = 0
    limit 8
  ),
  terms as (
    select * from words
    where freq <= 0.2 or not exists (select 1 from words where freq <= 0.2)
  ),
  q as (
    select
      (select string_agg(lit, ' | ') from words)::tsquery as any_word,
      (select string_agg(lit, ' & ') from terms)::tsquery as all_terms,
      (select string_agg('(' || (select string_agg(b.lit, ' & ') from terms b where b.lexeme <> a.lexeme) || ')', ' | ')
         from terms a having count(*) > 2)::tsquery as all_but_one,
      (select string_agg('(' || a.lit || ' & ' || b.lit || ')', ' | ')
         from terms a join terms b on a.lexeme < b.lexeme having count(*) > 2)::tsquery as any_two,
      (select string_agg(lit, ' | ') from terms)::tsquery as any_term
  ),
  t0 as (
    select c.id, 0 as tier, ts_rank_cd(c.tsv, q.any_word) as rank
    from knowledge_chunks c, q where c.tenant_id = app_tenant() and c.tsv @@ q.all_terms
    limit p_candidates
  ),
  t1 as (
    select c.id, 1 as tier, ts_rank_cd(c.tsv, q.any_word) as rank
    from knowledge_chunks c, q
    where (select count(*) from t0) < p_limit and c.tenant_id = app_tenant() and c.tsv @@ q.all_but_one
    limit p_candidates
  ),
  t2 as (
    select c.id, 2 as tier, ts_rank_cd(c.tsv, q.any_word) as rank
    from knowledge_chunks c, q
    where (select count(*) from t0) + (select count(*) from t1) < p_limit
      and c.tenant_id = app_tenant() and c.tsv @@ q.any_two
    limit p_candidates
  ),
  t3 as (
    select c.id, 3 as tier, ts_rank_cd(c.tsv, q.any_word) as rank
    from knowledge_chunks c, q
    where (select count(*) from t0) + (select count(*) from t1) + (select count(*) from t2) < p_limit
      and c.tenant_id = app_tenant() and c.tsv @@ q.any_term
    limit p_candidates
  )
  select id, min(tier), max(rank)
  from (select * from t0 union all select * from t1 union all select * from t2 union all select * from t3) t
  group by id
  order by min(tier), max(rank) desc, id
  limit p_limit
$$;
--> statement-breakpoint
ALTER FUNCTION knowledge_lexical_search(text, integer, integer) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION knowledge_lexical_search(text, integer, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION knowledge_lexical_search(text, integer, integer) TO app_user;
