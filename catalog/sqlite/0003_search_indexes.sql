-- callarchive catalog, migration 0003: indexes shaped like the searches people run.
--
-- "This agent at this store" is the commonest QA question. With an index on the store alone,
-- SQLite read every call of the store (2,500 table pages for one store of a million-call
-- catalog) to check the agent; on (store_name, agent_name) it reads only the matching calls.
-- The index also serves store-only filters, so it replaces calls_store_name.
CREATE INDEX calls_store_agent ON calls (store_name, agent_name);
DROP INDEX calls_store_name;

-- Results are listed by call_in_time, order_id, call_index. An index in exactly that order
-- hands `search --limit N` its first rows without sorting the catalog (0.46 s on a million
-- calls before); it still serves date: ranges, so it replaces calls_call_in_time.
CREATE INDEX calls_time_order ON calls (call_in_time, order_id, call_index);
DROP INDEX calls_call_in_time;
