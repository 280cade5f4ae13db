-- callarchive catalog, migration 0006: the tags and notes people put on calls (`callarchive tag`).
--
-- Their own table, keyed like `calls` but never written by fetch, refetch, import or verify,
-- so none of them can wipe what an analyst marked. A call without tags or notes has no row.
--   tags        the call's tags: distinct names, sorted, one space between ("followup refund");
--               a name is 1-32 of a-z, 0-9, '-', '_', starting with a letter or digit
--   notes       the notes, oldest first, one a line, each as written (no line breaks inside)
--   updated_at  when `tag` last changed the row, ISO 8601 UTC
CREATE TABLE annotations (
    order_id    TEXT NOT NULL,
    call_index  INTEGER NOT NULL,
    tags        TEXT NOT NULL DEFAULT '',
    notes       TEXT NOT NULL DEFAULT '',
    updated_at  TEXT NOT NULL,
    PRIMARY KEY (order_id, call_index)
);
