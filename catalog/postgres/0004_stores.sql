-- Stores and their time zones, filled by `callarchive stores import FILE.csv` (docs/query.md,
-- "Local time"), as catalog/sqlite/0007_stores.sql.
CREATE TABLE stores (
    code      TEXT COLLATE "C" PRIMARY KEY,
    name      TEXT NOT NULL DEFAULT '',
    time_zone TEXT NOT NULL DEFAULT ''
);
