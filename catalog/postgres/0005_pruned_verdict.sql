-- callarchive catalog (PostgreSQL), migration 0005: the verdict `pruned` (docs/contract.md §10),
-- as SQLite's 0008. PostgreSQL changes a CHECK in place: the constraint 0001 declared unnamed
-- (so named calls_verdict_check) is replaced by one that allows `pruned` too.
ALTER TABLE calls DROP CONSTRAINT calls_verdict_check;
ALTER TABLE calls ADD CONSTRAINT calls_verdict_check CHECK (verdict IN
    ('valid', 'truncated', 'corrupt', 'not_audio', 'no_recording',
     'missing', 'changed', 'failed', 'pruned'));
