-- certctl schema, version 0003 (same text for SQLite and PostgreSQL):
-- at most one issuance or renewal in flight per certificate.
--
-- POST /certificates/{id}/renew and the issuance started by a create both
-- insert a job; checking "is one already running?" first is not enough when
-- two requests (or two server replicas) race, so the database refuses the
-- second insert. Finished jobs (Completed, Failed, Cancelled) are not covered.
CREATE UNIQUE INDEX IF NOT EXISTS ux_jobs_certificate_in_flight
  ON jobs (certificate_id)
  WHERE type IN ('Issuance', 'Renewal')
    AND status IN ('Pending', 'AwaitingCSR', 'AwaitingApproval', 'Running');
