-- callarchive catalog, migration 0008: the verdict `pruned` (docs/contract.md §10): a recording
-- deleted under a retention rule (`callarchive prune`); its row stays, so stats and exports
-- still count the call and `verify` does not report it missing.
--
-- SQLite cannot widen a CHECK in place, so the table is rebuilt in this migration's one
-- transaction (catalog/README.md, "A new verdict"). THE COLUMN LIST is written out twice below,
-- in `CREATE TABLE calls_new` and in the `INSERT … SELECT`: every column `calls` has when this
-- migration runs, in order: 0001's, then 0005's six audio metrics.

CREATE TABLE calls_new (
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
                         'missing', 'changed', 'failed', 'pruned')),
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
    silence_seconds         REAL,
    longest_silence_seconds REAL,
    leading_silence_seconds REAL,
    peak_dbfs               REAL,
    clipped_samples         INTEGER,
    loudness_lufs           REAL,
    UNIQUE (order_id, call_index)
);

-- `id` is kept: the full-text index's row ids are the calls' ids.
INSERT INTO calls_new (
    id, order_id, call_index, call_sid, store_name, store_code, agent_name, call_status,
    call_in_time, call_out_time, call_seconds, recording_url, file_path, file_size, sha256,
    verdict, verdict_detail, audio_seconds, frames, expected_frames, sample_rate, channels,
    bitrate_kbps, attempts, downloaded_at, verified_at, api_json,
    silence_seconds, longest_silence_seconds, leading_silence_seconds, peak_dbfs, clipped_samples, loudness_lufs
)
SELECT
    id, order_id, call_index, call_sid, store_name, store_code, agent_name, call_status,
    call_in_time, call_out_time, call_seconds, recording_url, file_path, file_size, sha256,
    verdict, verdict_detail, audio_seconds, frames, expected_frames, sample_rate, channels,
    bitrate_kbps, attempts, downloaded_at, verified_at, api_json,
    silence_seconds, longest_silence_seconds, leading_silence_seconds, peak_dbfs, clipped_samples, loudness_lufs
FROM calls;

DROP TABLE calls;
ALTER TABLE calls_new RENAME TO calls;

-- What went with the old table: the indexes of 0001, 0003 and 0004 as they stand after 0003
-- dropped two of them, and the triggers of 0001 and 0002.
CREATE INDEX calls_store_code  ON calls (store_code);
CREATE INDEX calls_agent_name  ON calls (agent_name);
CREATE INDEX calls_verdict     ON calls (verdict);
CREATE INDEX calls_call_status ON calls (call_status);
CREATE INDEX calls_store_agent ON calls (store_name, agent_name);
CREATE INDEX calls_time_order  ON calls (call_in_time, order_id, call_index);
CREATE INDEX calls_store_time  ON calls (store_name, call_in_time, order_id, call_index);

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

CREATE TRIGGER calls_field_values_insert AFTER INSERT ON calls BEGIN
    INSERT INTO field_values (field, value)
    SELECT f, v FROM (
        SELECT 'store_name' AS f, new.store_name AS v UNION SELECT 'store_code', new.store_code
        UNION SELECT 'agent_name', new.agent_name UNION SELECT 'call_status', new.call_status
    ) AS t
    WHERE NOT EXISTS (SELECT 1 FROM field_values WHERE field = t.f AND value = t.v);
END;

CREATE TRIGGER calls_field_values_update AFTER UPDATE OF store_name, store_code, agent_name, call_status ON calls BEGIN
    INSERT INTO field_values (field, value)
    SELECT f, v FROM (
        SELECT 'store_name' AS f, new.store_name AS v UNION SELECT 'store_code', new.store_code
        UNION SELECT 'agent_name', new.agent_name UNION SELECT 'call_status', new.call_status
    ) AS t
    WHERE NOT EXISTS (SELECT 1 FROM field_values WHERE field = t.f AND value = t.v);
END;

INSERT INTO calls_fts (calls_fts) VALUES ('rebuild');
