-- callarchive catalog, migration 0009: the listing-order index also holds the columns a
-- search filters on most (store, store code, agent, status, verdict). `search --limit N` first
-- tests the head of the listing (SQLiteDialect.headSelect); with these columns in the index it
-- tests them there, and reads a call's row only for the N it shows, where it read a row (a
-- page of the table) for each of the 2,000 calls it tested: 3,200 page reads became 130 for
-- `agent:marcus` in a million calls. Same leading columns, so it serves every query that used
-- calls_time_order.
CREATE INDEX calls_listing ON calls (call_in_time, order_id, call_index, store_name, store_code, agent_name, call_status, verdict);
DROP INDEX calls_time_order;
