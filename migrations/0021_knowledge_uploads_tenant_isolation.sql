-- Knowledge uploads and embeddings (issue 5), hand-written: forced row-level security on the upload
-- staging table, and pgvector where the server offers it. pgvector is an option, not a requirement:
-- PGlite and this project's Debian PostgreSQL have no `vector` extension, so chunk embeddings are a
-- real[] column scored in SQL (apps/edge-api/src/knowledge/search.ts); where the extension exists
-- (Neon has it) it is enabled here so a deployment can add an ANN index for its embedding size.
SELECT enable_tenant_rls('knowledge_uploads');
--> statement-breakpoint
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'vector') THEN
    CREATE EXTENSION IF NOT EXISTS vector;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'pgvector is available but this role cannot create it; embeddings stay real[] only';
END
$$;
