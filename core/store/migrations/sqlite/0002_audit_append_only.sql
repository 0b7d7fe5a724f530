-- certctl schema, SQLite dialect, version 0002: audit_events is append-only.
--
-- The audit trail is evidence (SOC 2 CC7.2): once written, a row must never
-- change or disappear, whoever asks. The triggers make the database refuse
-- UPDATE and DELETE itself, so a bug or a hand-typed statement cannot
-- rewrite history. (Deleting the database file is outside what SQL can stop;
-- production deployments that need more use PostgreSQL with a restricted role.)

CREATE TRIGGER IF NOT EXISTS audit_events_no_update
BEFORE UPDATE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;

CREATE TRIGGER IF NOT EXISTS audit_events_no_delete
BEFORE DELETE ON audit_events
BEGIN
  SELECT RAISE(ABORT, 'audit_events is append-only');
END;
