-- callarchive catalog on PostgreSQL, migration 0003: the tags and notes people put on calls,
-- as SQLite's 0006_tags_notes.sql, whose comments say what each column holds. Never written
-- by fetch, refetch, import or verify.
CREATE TABLE annotations (
    order_id    TEXT COLLATE "C" NOT NULL,
    call_index  BIGINT NOT NULL,
    tags        TEXT COLLATE "C" NOT NULL DEFAULT '',
    notes       TEXT COLLATE "C" NOT NULL DEFAULT '',
    updated_at  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (order_id, call_index)
);
