-- callarchive catalog, migration 0001: calls, download attempts, full-text index.
-- Applied once by the program when it opens a catalog (GRDB DatabaseMigrator, identifier
-- "0001_initial"). Never edit a shipped migration: add 0002_….sql instead.

-- One row per call (SPEC §4). An order with several calls has rows 1, 2, … in call_index.
CREATE TABLE calls (
    id              INTEGER PRIMARY KEY,
    order_id        TEXT    NOT NULL,
    call_index      INTEGER NOT NULL DEFAULT 1 CHECK (call_index >= 1),
    call_sid        TEXT    NOT NULL DEFAULT '',
    store_name      TEXT    NOT NULL DEFAULT '',
    store_code      TEXT    NOT NULL DEFAULT '',
    agent_name      TEXT    NOT NULL DEFAULT '',
    call_status     TEXT    NOT NULL DEFAULT '',
    call_in_time    TEXT,
    call_out_time   TEXT,
    call_seconds    REAL,
    recording_url   TEXT    NOT NULL DEFAULT '',
    file_path       TEXT,
    file_size       INTEGER,
    sha256          TEXT,
    verdict         TEXT    NOT NULL CHECK (verdict IN
                        ('valid', 'truncated', 'corrupt', 'not_audio', 'no_recording',
                         'missing', 'changed', 'failed')),
    verdict_detail  TEXT    NOT NULL DEFAULT '',
    audio_seconds   REAL,
    frames          INTEGER,
    expected_frames INTEGER,
    sample_rate     INTEGER,
    channels        INTEGER,
    bitrate_kbps    REAL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    downloaded_at   TEXT,
    verified_at     TEXT,
    api_json        TEXT    NOT NULL DEFAULT '{}',
    UNIQUE (order_id, call_index)
);

-- Filters and groupings the query language and `stats` use most.
CREATE INDEX calls_store_code   ON calls (store_code);
CREATE INDEX calls_store_name   ON calls (store_name);
CREATE INDEX calls_agent_name   ON calls (agent_name);
CREATE INDEX calls_call_in_time ON calls (call_in_time);
CREATE INDEX calls_verdict      ON calls (verdict);
CREATE INDEX calls_call_status  ON calls (call_status);

-- Every HTTP attempt made for an order: the metadata request and each recording download.
CREATE TABLE attempts (
    id          INTEGER PRIMARY KEY,
    order_id    TEXT    NOT NULL,
    call_index  INTEGER,
    stage       TEXT    NOT NULL CHECK (stage IN ('metadata', 'recording')),
    started_at  TEXT    NOT NULL,
    http_status INTEGER,
    bytes       INTEGER NOT NULL DEFAULT 0,
    range_start INTEGER,
    error       TEXT
);
CREATE INDEX attempts_order ON attempts (order_id, call_index);

-- Bare words in queries: store, agent, order id and status, prefix-searchable.
CREATE VIRTUAL TABLE calls_fts USING fts5(
    store_name, agent_name, order_id, call_status,
    content = 'calls', content_rowid = 'id',
    tokenize = "unicode61 remove_diacritics 2 tokenchars '-_'",
    prefix = '2 3'
);

CREATE TRIGGER calls_fts_insert AFTER INSERT ON calls BEGIN
    INSERT INTO calls_fts (rowid, store_name, agent_name, order_id, call_status)
    VALUES (new.id, new.store_name, new.agent_name, new.order_id, new.call_status);
END;

CREATE TRIGGER calls_fts_delete AFTER DELETE ON calls BEGIN
    INSERT INTO calls_fts (calls_fts, rowid, store_name, agent_name, order_id, call_status)
    VALUES ('delete', old.id, old.store_name, old.agent_name, old.order_id, old.call_status);
END;

CREATE TRIGGER calls_fts_update AFTER UPDATE OF store_name, agent_name, order_id, call_status ON calls BEGIN
    INSERT INTO calls_fts (calls_fts, rowid, store_name, agent_name, order_id, call_status)
    VALUES ('delete', old.id, old.store_name, old.agent_name, old.order_id, old.call_status);
    INSERT INTO calls_fts (rowid, store_name, agent_name, order_id, call_status)
    VALUES (new.id, new.store_name, new.agent_name, new.order_id, new.call_status);
END;
