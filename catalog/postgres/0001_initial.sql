-- callarchive catalog on PostgreSQL, migration 0001: calls, download attempts, full-text words,
-- claims. The same columns, meanings and order as the SQLite catalog (catalog/sqlite/, through
-- 0004); applied once by the program, in one transaction, and recorded in schema_migrations.
-- Never edit a shipped migration: add 0002_….sql instead. One statement per `;` at a line's
-- end (the program runs them one by one).

-- One row per call (docs/contract.md §4). Every text column sorts and compares byte by byte
-- (COLLATE "C"), as SQLite's BINARY does, whatever the server's locale.
CREATE TABLE calls (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id        TEXT COLLATE "C" NOT NULL,
    call_index      BIGINT NOT NULL DEFAULT 1 CHECK (call_index >= 1),
    call_sid        TEXT COLLATE "C" NOT NULL DEFAULT '',
    store_name      TEXT COLLATE "C" NOT NULL DEFAULT '',
    store_code      TEXT COLLATE "C" NOT NULL DEFAULT '',
    agent_name      TEXT COLLATE "C" NOT NULL DEFAULT '',
    call_status     TEXT COLLATE "C" NOT NULL DEFAULT '',
    call_in_time    TEXT COLLATE "C",
    call_out_time   TEXT COLLATE "C",
    call_seconds    DOUBLE PRECISION,
    recording_url   TEXT COLLATE "C" NOT NULL DEFAULT '',
    file_path       TEXT COLLATE "C",
    file_size       BIGINT,
    sha256          TEXT COLLATE "C",
    verdict         TEXT COLLATE "C" NOT NULL CHECK (verdict IN
                        ('valid', 'truncated', 'corrupt', 'not_audio', 'no_recording',
                         'missing', 'changed', 'failed')),
    verdict_detail  TEXT COLLATE "C" NOT NULL DEFAULT '',
    audio_seconds   DOUBLE PRECISION,
    frames          BIGINT,
    expected_frames BIGINT,
    sample_rate     BIGINT,
    channels        BIGINT,
    bitrate_kbps    DOUBLE PRECISION,
    attempts        BIGINT NOT NULL DEFAULT 0,
    downloaded_at   TEXT COLLATE "C",
    verified_at     TEXT COLLATE "C",
    api_json        TEXT COLLATE "C" NOT NULL DEFAULT '{}',
    -- The words of store_name, agent_name, order_id and call_status as SQLite's FTS5
    -- unicode61 tokenizer makes them (written by the program, which asks SQLite), each
    -- column's words at positions of their own (column n from n × 4096 + 1), so a phrase
    -- never runs from one column into the next.
    words           TSVECTOR NOT NULL DEFAULT '',
    UNIQUE (order_id, call_index)
);

-- Filters, groupings and the listing order (call_in_time, order_id, call_index; a missing
-- time first, as SQLite sorts NULL).
CREATE INDEX calls_store_code  ON calls (store_code);
CREATE INDEX calls_store_agent ON calls (store_name, agent_name);
CREATE INDEX calls_store_time  ON calls (store_name, call_in_time NULLS FIRST, order_id, call_index);
CREATE INDEX calls_agent_name  ON calls (agent_name);
CREATE INDEX calls_time_order  ON calls (call_in_time NULLS FIRST, order_id, call_index);
CREATE INDEX calls_verdict     ON calls (verdict);
CREATE INDEX calls_call_status ON calls (call_status);
CREATE INDEX calls_words       ON calls USING GIN (words);

-- Every HTTP attempt made for an order: the metadata request and each recording download.
CREATE TABLE attempts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id    TEXT COLLATE "C" NOT NULL,
    call_index  BIGINT,
    stage       TEXT COLLATE "C" NOT NULL CHECK (stage IN ('metadata', 'recording')),
    started_at  TEXT COLLATE "C" NOT NULL,
    http_status BIGINT,
    bytes       BIGINT NOT NULL DEFAULT 0,
    range_start BIGINT,
    error       TEXT COLLATE "C"
);
CREATE INDEX attempts_order ON attempts (order_id, call_index);

-- Who is fetching a call (`ID` or `ID-n`) right now: one row per claim, held until released
-- or until its lease runs out (a worker that died), renewed while the worker is alive.
CREATE TABLE claims (
    name       TEXT COLLATE "C" PRIMARY KEY,
    owner      TEXT COLLATE "C" NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
