-- certctl schema, PostgreSQL dialect, version 0002: audit_events is append-only.
--
-- The audit trail is evidence (SOC 2 CC7.2): once written, a row must never
-- change or disappear. A statement-level trigger refuses UPDATE, DELETE and
-- TRUNCATE on audit_events even when they would touch no row, so a bug or a
-- hand-typed statement cannot rewrite history. A superuser can still disable
-- triggers; deployments that need more run the server under a role granted
-- only INSERT and SELECT on this table.
--
-- Re-runnable: CREATE OR REPLACE for the function, and the trigger is created
-- only when missing (works on PostgreSQL 11+, where CREATE OR REPLACE TRIGGER
-- does not exist yet, and emits no NOTICE).

CREATE OR REPLACE FUNCTION audit_events_reject_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END;
$$;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_trigger
                 WHERE tgrelid = 'audit_events'::regclass
                   AND tgname = 'audit_events_append_only') THEN
    CREATE TRIGGER audit_events_append_only
      BEFORE UPDATE OR DELETE OR TRUNCATE ON audit_events
      FOR EACH STATEMENT EXECUTE FUNCTION audit_events_reject_change();
  END IF;
END;
$$;
