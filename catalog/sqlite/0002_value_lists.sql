-- callarchive catalog, migration 0002: the distinct values of the text fields queries filter on.
-- A substring query such as `store:jet` is matched against these few hundred values first; the
-- calls are then found through the column's index instead of a scan of every row.

CREATE TABLE field_values (
    field TEXT NOT NULL CHECK (field IN ('store_name', 'store_code', 'agent_name', 'call_status')),
    value TEXT NOT NULL,
    PRIMARY KEY (field, value)
) WITHOUT ROWID;

INSERT OR IGNORE INTO field_values (field, value) SELECT DISTINCT 'store_name', store_name FROM calls;
INSERT OR IGNORE INTO field_values (field, value) SELECT DISTINCT 'store_code', store_code FROM calls;
INSERT OR IGNORE INTO field_values (field, value) SELECT DISTINCT 'agent_name', agent_name FROM calls;
INSERT OR IGNORE INTO field_values (field, value) SELECT DISTINCT 'call_status', call_status FROM calls;

-- Plain inserts guarded by NOT EXISTS: a trigger's own OR IGNORE would be overridden by the
-- conflict clause of the statement that fired it (the catalog writes calls with an upsert).
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
