-- callarchive catalog, migration 0004: a store's calls in listing order.
--
-- "The last calls of this store" (`search store:X --limit 50`) read every call of the store
-- through (store_name, agent_name) and sorted them: 2,500 rows for one store of a million
-- calls. On (store_name, call_in_time, order_id, call_index) SQLite reads the store's calls in
-- the listing order and stops at the limit. calls_store_agent stays: it serves store-and-agent
-- filters without a limit, and `stats` grouped by agent within a store.
CREATE INDEX calls_store_time ON calls (store_name, call_in_time, order_id, call_index);
