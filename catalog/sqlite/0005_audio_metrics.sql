-- callarchive catalog, migration 0005: audio metrics measured in the decode (docs/contract.md §10).
--
-- Six nullable columns, appended after verified_at. A row catalogued before this migration has
-- NULL in each until the next `verify` (or fetch, or import) decodes its file again.
--   silence_seconds          total length of stretches >= 1.0 s whose 50 ms RMS windows all stay below -45 dBFS
--   longest_silence_seconds  the longest such stretch ("dead air")
--   leading_silence_seconds  the stretch at the very start, when there is one (a late pick-up); else 0
--   peak_dbfs                sample peak of the decoded audio, dBFS (above 0 on overshoot); NULL for digital silence
--   clipped_samples          samples at or beyond +/-0.99 of full scale
--   loudness_lufs            integrated loudness, ITU-R BS.1770 / EBU R128 (libebur128); NULL when nothing passes the -70 LUFS gate
ALTER TABLE calls ADD COLUMN silence_seconds REAL;
ALTER TABLE calls ADD COLUMN longest_silence_seconds REAL;
ALTER TABLE calls ADD COLUMN leading_silence_seconds REAL;
ALTER TABLE calls ADD COLUMN peak_dbfs REAL;
ALTER TABLE calls ADD COLUMN clipped_samples INTEGER;
ALTER TABLE calls ADD COLUMN loudness_lufs REAL;
