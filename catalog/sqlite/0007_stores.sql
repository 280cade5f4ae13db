-- Stores and their time zones, filled by `callarchive stores import FILE.csv` (docs/query.md,
-- "Local time"). `--tz store` reads each call's local time in the zone of the store whose
-- code is the call's `store_code`.
CREATE TABLE stores (
    code      TEXT PRIMARY KEY NOT NULL,  -- a store_code, e.g. MI-062
    name      TEXT NOT NULL DEFAULT '',   -- the store's name, as the file gives it
    time_zone TEXT NOT NULL DEFAULT ''    -- an IANA zone name (America/Detroit); empty: not known
);
