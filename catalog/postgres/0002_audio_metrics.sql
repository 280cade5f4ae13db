-- callarchive catalog on PostgreSQL, migration 0002: audio metrics measured in the decode
-- (docs/contract.md §10), as SQLite's 0005_audio_metrics.sql, whose comments say what each
-- column means. Nullable: a row catalogued before has NULL until the next `verify`.
ALTER TABLE calls ADD COLUMN silence_seconds DOUBLE PRECISION;
ALTER TABLE calls ADD COLUMN longest_silence_seconds DOUBLE PRECISION;
ALTER TABLE calls ADD COLUMN leading_silence_seconds DOUBLE PRECISION;
ALTER TABLE calls ADD COLUMN peak_dbfs DOUBLE PRECISION;
ALTER TABLE calls ADD COLUMN clipped_samples BIGINT;
ALTER TABLE calls ADD COLUMN loudness_lufs DOUBLE PRECISION;
