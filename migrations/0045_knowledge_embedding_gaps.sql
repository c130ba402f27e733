-- Chunks stored without their embedding (the embedding job's queue message was lost, or the provider
-- failed) stay lexical-only until the source's next job. The cron asks this look-up (ids only) for
-- sources of tenants with an embedding model that have chunks older than p_quiet and no embedding,
-- and queues their embedding step again.
CREATE FUNCTION knowledge_embedding_gaps(p_quiet interval, p_limit integer)
RETURNS TABLE (tenant_id uuid, source_id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT s.tenant_id, s.id FROM ai_settings a
  JOIN knowledge_sources s ON s.tenant_id = a.tenant_id
  WHERE a.provider = 'openai' AND a.embedding_model IS NOT NULL AND a.api_key_ciphertext IS NOT NULL
    AND s.status <> 'crawling'
    AND EXISTS (
      SELECT 1 FROM knowledge_chunks c
      WHERE c.tenant_id = s.tenant_id AND c.source_id = s.id
        AND c.embedding IS NULL AND c.created_at < now() - p_quiet
    )
  ORDER BY s.updated_at
  LIMIT p_limit
$$;
--> statement-breakpoint
ALTER FUNCTION knowledge_embedding_gaps(interval, integer) OWNER TO app_lookup;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION knowledge_embedding_gaps(interval, integer) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION knowledge_embedding_gaps(interval, integer) TO CURRENT_USER;
