-- callarchive catalog (PostgreSQL), migration 0006: the distinct values of the text fields
-- queries filter on, as SQLite's 0002. A substring filter such as `store:jet` is matched
-- against these few hundred values first (PostgresCatalog.resolvingValueLists); the query then
-- names the values it found (`store_name IN (…)`), which the column's index answers in
-- listing order, where a `LIKE` on the column read every row: 5 s for `store:nosuchstore` in
-- a million calls.
CREATE TABLE field_values (
    field TEXT COLLATE "C" NOT NULL CHECK (field IN ('store_name', 'store_code', 'agent_name', 'call_status')),
    value TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (field, value)
);

INSERT INTO field_values (field, value) SELECT DISTINCT 'store_name', store_name FROM calls;
INSERT INTO field_values (field, value) SELECT DISTINCT 'store_code', store_code FROM calls;
INSERT INTO field_values (field, value) SELECT DISTINCT 'agent_name', agent_name FROM calls;
INSERT INTO field_values (field, value) SELECT DISTINCT 'call_status', call_status FROM calls;

-- Kept by a trigger on every written call. The statements of the function's body start their
-- lines with `;`, because the program splits a migration at every `;` that ends a line.
CREATE FUNCTION calls_field_values() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO field_values (field, value)
    VALUES ('store_name', NEW.store_name), ('store_code', NEW.store_code),
           ('agent_name', NEW.agent_name), ('call_status', NEW.call_status)
    ON CONFLICT DO NOTHING
    ; RETURN NULL
; END
$$;

CREATE TRIGGER calls_field_values AFTER INSERT OR UPDATE OF store_name, store_code, agent_name, call_status ON calls
    FOR EACH ROW EXECUTE FUNCTION calls_field_values();
