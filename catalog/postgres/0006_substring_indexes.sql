-- callarchive catalog (PostgreSQL), migration 0006: trigram indexes for substring filters
-- (`store:jet`, `agent:mar`), which otherwise read every row. SQLite matches such a filter
-- against its table of distinct values (sqlite 0002); here a GIN index of pg_trgm on the same
-- expression PostgresDialect filters on (the text with ASCII letters lowered by `translate`)
-- finds the rows. pg_trgm ships with PostgreSQL and is a trusted extension, but a role that may
-- not create extensions, or a server built without it, must still get a working catalog: then
-- nothing is created here (a NOTICE says so) and these filters read every row, as before.
-- The statements inside the block start their lines with `;` because the program splits a
-- migration at every `;` that ends a line.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm
    ; CREATE INDEX calls_store_name_trgm ON calls USING GIN
        (translate(store_name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') gin_trgm_ops)
    ; CREATE INDEX calls_store_code_trgm ON calls USING GIN
        (translate(store_code, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') gin_trgm_ops)
    ; CREATE INDEX calls_agent_name_trgm ON calls USING GIN
        (translate(agent_name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') gin_trgm_ops)
    ; CREATE INDEX calls_call_status_trgm ON calls USING GIN
        (translate(call_status, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') gin_trgm_ops)
    ; EXCEPTION WHEN OTHERS THEN
        RAISE NOTICE 'callarchive: no trigram indexes (%): substring filters read every row', SQLERRM
    ; END
$$;
