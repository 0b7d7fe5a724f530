-- certctl schema, SQLite dialect, version 0001.
--
-- Conventions (the generic repository in core/store relies on them):
--   * every table has id TEXT PRIMARY KEY holding a prefixed, human-readable id
--     (mc-, iss-, t-, rp-, prof-, pr-, team-, o-, ag-, a-, j-, ...);
--   * a REST resource's columns are named exactly like its FieldSpecs
--     (core/domain/resources.cpp); tests/unit/domain/resources_test.cpp parses
--     this file and fails on any drift in names, types or NOT NULL;
--   * columns that are not FieldSpecs are nullable or have a DEFAULT, so an
--     INSERT of the descriptor's columns alone always succeeds;
--   * timestamps are UTC with second precision, "YYYY-MM-DDTHH:MM:SSZ";
--   * deleting a row that is still referenced fails (ON DELETE RESTRICT) unless
--     the child is part of the parent (CASCADE) or merely a history link
--     (SET NULL).
--
-- Sort expressions. List endpoints sort on "<expr>, id" and page with keyset
-- comparisons on that pair, so the expression must never be NULL: a nullable
-- column is sorted through COALESCE, and the index on it is built on the SAME
-- expression (the query builder in core/store/sql_dialect.cpp emits exactly
-- these; a different spelling makes the planner ignore the index):
--   nullable timestamp:  COALESCE(expires_at, '0001-01-01T00:00:00Z')
--   nullable text:       COALESCE(environment, '')
--   NOT NULL column:     the bare column
-- and every sort index is composite: (<expr>, id).
--
-- Type mapping: String TEXT, Integer INTEGER, Number REAL, Boolean INTEGER 0|1,
-- Timestamp TEXT (checked to be a valid time already in the fixed form, so
-- text order is time order), StringList and Json TEXT holding JSON (checked with json_valid).
-- Foreign keys are enforced only with PRAGMA foreign_keys=ON on each connection.
-- The whole file runs in one transaction (the migrator adds BEGIN/COMMIT).

-- Organisational teams that own certificates (REST: /teams, ids team-...).
CREATE TABLE IF NOT EXISTS teams (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  description TEXT,
  email       TEXT,
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) IS updated_at)
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_teams_name ON teams (name);
CREATE INDEX IF NOT EXISTS idx_teams_sort_name ON teams (name, id);
CREATE INDEX IF NOT EXISTS idx_teams_sort_created_at ON teams (created_at, id);
CREATE INDEX IF NOT EXISTS idx_teams_sort_updated_at ON teams (updated_at, id);

-- People accountable for certificates; notifications go to their email
-- (REST: /owners, ids o-...).
CREATE TABLE IF NOT EXISTS owners (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  email      TEXT NOT NULL,
  team_id    TEXT REFERENCES teams (id) ON DELETE RESTRICT,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
               CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
               CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) IS updated_at)
);
CREATE INDEX IF NOT EXISTS idx_owners_sort_name ON owners (name, id);
CREATE INDEX IF NOT EXISTS idx_owners_sort_created_at ON owners (created_at, id);
CREATE INDEX IF NOT EXISTS idx_owners_sort_updated_at ON owners (updated_at, id);
CREATE INDEX IF NOT EXISTS idx_owners_team_id ON owners (team_id);
CREATE INDEX IF NOT EXISTS idx_owners_email ON owners (email);

-- Dynamic agent groups: an agent belongs when it matches every non-empty
-- match_* criterion, plus manual include/exclude rows in agent_group_members.
CREATE TABLE IF NOT EXISTS agent_groups (
  id                 TEXT PRIMARY KEY,
  name               TEXT NOT NULL,
  description        TEXT,
  match_os           TEXT,
  match_architecture TEXT,
  match_ip_cidr      TEXT,
  match_version      TEXT,
  enabled            INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                       CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at),
  updated_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                       CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) IS updated_at)
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_agent_groups_name ON agent_groups (name);
CREATE INDEX IF NOT EXISTS idx_agent_groups_sort_name ON agent_groups (name, id);
CREATE INDEX IF NOT EXISTS idx_agent_groups_sort_created_at ON agent_groups (created_at, id);
CREATE INDEX IF NOT EXISTS idx_agent_groups_sort_updated_at ON agent_groups (updated_at, id);
CREATE INDEX IF NOT EXISTS idx_agent_groups_enabled ON agent_groups (enabled);

-- Registered certctl-agent instances. api_key_hash and retired_* are
-- server-side only; DELETE on the API retires (retired_at) instead of removing.
CREATE TABLE IF NOT EXISTS agents (
  id                TEXT PRIMARY KEY,
  name              TEXT NOT NULL,
  hostname          TEXT,
  status            TEXT NOT NULL DEFAULT 'Online'
                      CHECK (status IN ('Online', 'Offline', 'Degraded')),
  os                TEXT,
  architecture      TEXT,
  ip_address        TEXT,
  version           TEXT,
  capabilities      TEXT CHECK (capabilities IS NULL OR json_valid(capabilities)),
  last_heartbeat_at TEXT
                      CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', last_heartbeat_at) IS last_heartbeat_at),
  registered_at     TEXT DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                      CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', registered_at) IS registered_at),
  retired_at        TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', retired_at) IS retired_at),
  retired_reason    TEXT,
  api_key_hash      TEXT,
  created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                      CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at),
  updated_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                      CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) IS updated_at)
);
CREATE INDEX IF NOT EXISTS idx_agents_sort_name ON agents (name, id);
CREATE INDEX IF NOT EXISTS idx_agents_sort_status ON agents (status, id);
CREATE INDEX IF NOT EXISTS idx_agents_sort_created_at ON agents (created_at, id);
CREATE INDEX IF NOT EXISTS idx_agents_sort_updated_at ON agents (updated_at, id);
CREATE INDEX IF NOT EXISTS idx_agents_os ON agents (os);
CREATE INDEX IF NOT EXISTS idx_agents_architecture ON agents (architecture);
CREATE INDEX IF NOT EXISTS idx_agents_version ON agents (version);
CREATE INDEX IF NOT EXISTS idx_agents_last_heartbeat_at ON agents (last_heartbeat_at);
CREATE INDEX IF NOT EXISTS idx_agents_retired_at ON agents (retired_at);

-- Manual membership overrides of an agent group.
CREATE TABLE IF NOT EXISTS agent_group_members (
  group_id   TEXT NOT NULL REFERENCES agent_groups (id) ON DELETE CASCADE,
  agent_id   TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
  membership TEXT NOT NULL DEFAULT 'include' CHECK (membership IN ('include', 'exclude')),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
               CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at),
  PRIMARY KEY (group_id, agent_id)
);
CREATE INDEX IF NOT EXISTS idx_agent_group_members_agent_id ON agent_group_members (agent_id);

-- When and how certificates renew, and who is alerted at which threshold.
-- agent_group_id optionally scopes the policy to an agent group.
CREATE TABLE IF NOT EXISTS renewal_policies (
  id                     TEXT PRIMARY KEY,
  name                   TEXT NOT NULL,
  renewal_window_days    INTEGER NOT NULL DEFAULT 30,
  auto_renew             INTEGER NOT NULL DEFAULT 1 CHECK (auto_renew IN (0, 1)),
  max_retries            INTEGER NOT NULL DEFAULT 3,
  retry_interval_seconds INTEGER NOT NULL DEFAULT 3600,
  alert_thresholds_days  TEXT NOT NULL DEFAULT '[30,14,7,0]'
                           CHECK (json_valid(alert_thresholds_days)),
  alert_channels         TEXT CHECK (alert_channels IS NULL OR json_valid(alert_channels)),
  alert_severity_map     TEXT CHECK (alert_severity_map IS NULL OR json_valid(alert_severity_map)),
  agent_group_id         TEXT REFERENCES agent_groups (id) ON DELETE RESTRICT,
  created_at             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at),
  updated_at             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) IS updated_at)
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_renewal_policies_name ON renewal_policies (name);
CREATE INDEX IF NOT EXISTS idx_renewal_policies_sort_name ON renewal_policies (name, id);
CREATE INDEX IF NOT EXISTS idx_renewal_policies_sort_created_at
  ON renewal_policies (created_at, id);
CREATE INDEX IF NOT EXISTS idx_renewal_policies_sort_updated_at
  ON renewal_policies (updated_at, id);
CREATE INDEX IF NOT EXISTS idx_renewal_policies_agent_group_id ON renewal_policies (agent_group_id);

-- Configured CA connectors; type is the issuer plugin's type name and config
-- its JSON configuration (validated against the plugin's schema).
CREATE TABLE IF NOT EXISTS issuers (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  type        TEXT NOT NULL,
  config      TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
  enabled     INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  description TEXT,
  created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at),
  updated_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) IS updated_at)
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_issuers_name ON issuers (name);
CREATE INDEX IF NOT EXISTS idx_issuers_sort_name ON issuers (name, id);
CREATE INDEX IF NOT EXISTS idx_issuers_sort_type ON issuers (type, id);
CREATE INDEX IF NOT EXISTS idx_issuers_sort_created_at ON issuers (created_at, id);
CREATE INDEX IF NOT EXISTS idx_issuers_sort_updated_at ON issuers (updated_at, id);
CREATE INDEX IF NOT EXISTS idx_issuers_enabled ON issuers (enabled);

-- Issuance constraints. The effective maximum lifetime is the smaller of
-- max_ttl_hours and max_ttl_seconds when both are set; below one hour a
-- profile's certificates are short-lived (no CRL/OCSP entries).
CREATE TABLE IF NOT EXISTS certificate_profiles (
  id                     TEXT PRIMARY KEY,
  name                   TEXT NOT NULL,
  description            TEXT,
  allowed_key_algorithms TEXT
                           CHECK (allowed_key_algorithms IS NULL
                               OR json_valid(allowed_key_algorithms)),
  max_ttl_hours          INTEGER,
  max_ttl_seconds        INTEGER,
  allowed_ekus           TEXT NOT NULL DEFAULT '["serverAuth"]'
                           CHECK (json_valid(allowed_ekus) AND json_type(allowed_ekus) = 'array'),
  required_sans          TEXT NOT NULL DEFAULT '[]'
                           CHECK (json_valid(required_sans)
                               AND json_type(required_sans) = 'array'),
  enabled                INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at),
  updated_at             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) IS updated_at)
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_certificate_profiles_name ON certificate_profiles (name);
CREATE INDEX IF NOT EXISTS idx_certificate_profiles_sort_name ON certificate_profiles (name, id);
CREATE INDEX IF NOT EXISTS idx_certificate_profiles_sort_created_at
  ON certificate_profiles (created_at, id);
CREATE INDEX IF NOT EXISTS idx_certificate_profiles_sort_updated_at
  ON certificate_profiles (updated_at, id);
CREATE INDEX IF NOT EXISTS idx_certificate_profiles_enabled ON certificate_profiles (enabled);

-- The inventory. DELETE on the API archives (status 'Archived'), so a
-- name is unique among the non-archived certificates only.
CREATE TABLE IF NOT EXISTS managed_certificates (
  id                     TEXT PRIMARY KEY,
  name                   TEXT NOT NULL,
  common_name            TEXT NOT NULL,
  sans                   TEXT NOT NULL DEFAULT '[]'
                           CHECK (json_valid(sans) AND json_type(sans) = 'array'),
  environment            TEXT,
  owner_id               TEXT REFERENCES owners (id) ON DELETE RESTRICT,
  team_id                TEXT REFERENCES teams (id) ON DELETE RESTRICT,
  issuer_id              TEXT NOT NULL REFERENCES issuers (id) ON DELETE RESTRICT,
  renewal_policy_id      TEXT REFERENCES renewal_policies (id) ON DELETE RESTRICT,
  certificate_profile_id TEXT REFERENCES certificate_profiles (id) ON DELETE RESTRICT,
  agent_id               TEXT REFERENCES agents (id) ON DELETE RESTRICT,
  status                 TEXT NOT NULL DEFAULT 'Pending'
                           CHECK (status IN ('Pending', 'Active', 'Expiring', 'Expired',
                               'RenewalInProgress', 'Failed', 'Revoked', 'Archived')),
  expires_at             TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', expires_at) IS expires_at),
  tags                   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(tags)),
  last_renewal_at        TEXT
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', last_renewal_at) IS last_renewal_at),
  last_deployment_at     TEXT
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', last_deployment_at) IS last_deployment_at),
  source                 TEXT NOT NULL DEFAULT 'api',
  revoked_at             TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', revoked_at) IS revoked_at),
  revocation_reason      TEXT
                           CHECK (revocation_reason IN ('unspecified', 'keyCompromise',
                               'caCompromise', 'affiliationChanged', 'superseded',
                               'cessationOfOperation', 'certificateHold', 'privilegeWithdrawn')),
  created_at             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at),
  updated_at             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) IS updated_at)
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_managed_certificates_name
  ON managed_certificates (name) WHERE status <> 'Archived';
CREATE INDEX IF NOT EXISTS idx_managed_certificates_sort_expires_at
  ON managed_certificates ((COALESCE(expires_at, '0001-01-01T00:00:00Z')), id);
CREATE INDEX IF NOT EXISTS idx_managed_certificates_sort_common_name
  ON managed_certificates (common_name, id);
CREATE INDEX IF NOT EXISTS idx_managed_certificates_sort_name ON managed_certificates (name, id);
CREATE INDEX IF NOT EXISTS idx_managed_certificates_sort_status
  ON managed_certificates (status, id);
CREATE INDEX IF NOT EXISTS idx_managed_certificates_sort_environment
  ON managed_certificates ((COALESCE(environment, '')), id);
CREATE INDEX IF NOT EXISTS idx_managed_certificates_sort_created_at
  ON managed_certificates (created_at, id);
CREATE INDEX IF NOT EXISTS idx_managed_certificates_sort_updated_at
  ON managed_certificates (updated_at, id);
CREATE INDEX IF NOT EXISTS idx_managed_certificates_expires_at ON managed_certificates (expires_at);
CREATE INDEX IF NOT EXISTS idx_managed_certificates_environment
  ON managed_certificates (environment);
CREATE INDEX IF NOT EXISTS idx_managed_certificates_owner_id ON managed_certificates (owner_id);
CREATE INDEX IF NOT EXISTS idx_managed_certificates_team_id ON managed_certificates (team_id);
CREATE INDEX IF NOT EXISTS idx_managed_certificates_issuer_id ON managed_certificates (issuer_id);
CREATE INDEX IF NOT EXISTS idx_managed_certificates_renewal_policy_id
  ON managed_certificates (renewal_policy_id);
CREATE INDEX IF NOT EXISTS idx_managed_certificates_certificate_profile_id
  ON managed_certificates (certificate_profile_id);
CREATE INDEX IF NOT EXISTS idx_managed_certificates_agent_id ON managed_certificates (agent_id);
CREATE INDEX IF NOT EXISTS idx_managed_certificates_source ON managed_certificates (source);

-- Where certificates are deployed; type is the target plugin's type name.
-- agent_id is the agent that performs the deployment.
CREATE TABLE IF NOT EXISTS deployment_targets (
  id             TEXT PRIMARY KEY,
  name           TEXT NOT NULL,
  type           TEXT NOT NULL,
  agent_id       TEXT REFERENCES agents (id) ON DELETE RESTRICT,
  config         TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
  enabled        INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  retired_at     TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', retired_at) IS retired_at),
  retired_reason TEXT,
  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                   CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at),
  updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                   CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) IS updated_at)
);
CREATE INDEX IF NOT EXISTS idx_deployment_targets_sort_name ON deployment_targets (name, id);
CREATE INDEX IF NOT EXISTS idx_deployment_targets_sort_type ON deployment_targets (type, id);
CREATE INDEX IF NOT EXISTS idx_deployment_targets_sort_created_at
  ON deployment_targets (created_at, id);
CREATE INDEX IF NOT EXISTS idx_deployment_targets_sort_updated_at
  ON deployment_targets (updated_at, id);
CREATE INDEX IF NOT EXISTS idx_deployment_targets_agent_id ON deployment_targets (agent_id);
CREATE INDEX IF NOT EXISTS idx_deployment_targets_enabled ON deployment_targets (enabled);

-- Which certificate is deployed to which target. A target still mapped
-- to a certificate cannot be deleted.
CREATE TABLE IF NOT EXISTS certificate_target_mappings (
  certificate_id TEXT NOT NULL REFERENCES managed_certificates (id) ON DELETE CASCADE,
  target_id      TEXT NOT NULL REFERENCES deployment_targets (id) ON DELETE RESTRICT,
  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                   CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at),
  PRIMARY KEY (certificate_id, target_id)
);
CREATE INDEX IF NOT EXISTS idx_certificate_target_mappings_target_id
  ON certificate_target_mappings (target_id);

-- Every certificate ever issued for a managed certificate (no private keys).
-- issuer_id is the issuer that signed this version (OCSP looks serials up by it).
CREATE TABLE IF NOT EXISTS certificate_versions (
  id                 TEXT PRIMARY KEY,
  certificate_id     TEXT NOT NULL REFERENCES managed_certificates (id) ON DELETE CASCADE,
  issuer_id          TEXT REFERENCES issuers (id) ON DELETE RESTRICT,
  serial_number      TEXT NOT NULL,
  not_before         TEXT NOT NULL
                       CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', not_before) IS not_before),
  not_after          TEXT NOT NULL CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', not_after) IS not_after),
  fingerprint_sha256 TEXT NOT NULL,
  pem_chain          TEXT NOT NULL,
  csr_pem            TEXT,
  key_algorithm      TEXT,
  key_size           INTEGER,
  source             TEXT,
  created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                       CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at)
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_certificate_versions_cert_fingerprint
  ON certificate_versions (certificate_id, fingerprint_sha256);
CREATE INDEX IF NOT EXISTS idx_certificate_versions_cert_created
  ON certificate_versions (certificate_id, created_at);
CREATE INDEX IF NOT EXISTS idx_certificate_versions_fingerprint
  ON certificate_versions (fingerprint_sha256);
CREATE INDEX IF NOT EXISTS idx_certificate_versions_issuer_serial
  ON certificate_versions (issuer_id, serial_number);
CREATE INDEX IF NOT EXISTS idx_certificate_versions_not_after ON certificate_versions (not_after);

-- Units of work (Issuance, Renewal, Deployment, Validation ...) and their state
-- machine. claimed_by/claimed_at record which server replica or agent holds a job;
-- verification_* hold the post-deployment TLS check.
CREATE TABLE IF NOT EXISTS jobs (
  id                       TEXT PRIMARY KEY,
  type                     TEXT NOT NULL,
  certificate_id           TEXT REFERENCES managed_certificates (id) ON DELETE CASCADE,
  target_id                TEXT REFERENCES deployment_targets (id) ON DELETE SET NULL,
  agent_id                 TEXT REFERENCES agents (id) ON DELETE SET NULL,
  status                   TEXT NOT NULL DEFAULT 'Pending'
                             CHECK (status IN ('Pending', 'AwaitingCSR', 'AwaitingApproval',
                                 'Running', 'Completed', 'Failed', 'Cancelled')),
  attempts                 INTEGER NOT NULL DEFAULT 0,
  max_attempts             INTEGER NOT NULL DEFAULT 3,
  last_error               TEXT,
  payload                  TEXT CHECK (payload IS NULL OR json_valid(payload)),
  result                   TEXT CHECK (result IS NULL OR json_valid(result)),
  scheduled_at             TEXT
                             CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', scheduled_at) IS scheduled_at),
  started_at               TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', started_at) IS started_at),
  completed_at             TEXT
                             CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', completed_at) IS completed_at),
  claimed_by               TEXT,
  claimed_at               TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', claimed_at) IS claimed_at),
  reason                   TEXT,
  verification_status      TEXT
                             CHECK (verification_status IN ('pending', 'success', 'failed',
                                 'skipped')),
  verified_at              TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', verified_at) IS verified_at),
  verification_fingerprint TEXT,
  verification_error       TEXT,
  created_at               TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                             CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at),
  updated_at               TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                             CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) IS updated_at)
);
CREATE INDEX IF NOT EXISTS idx_jobs_status_scheduled ON jobs (status, scheduled_at);
CREATE INDEX IF NOT EXISTS idx_jobs_agent_status ON jobs (agent_id, status);
CREATE INDEX IF NOT EXISTS idx_jobs_certificate_id ON jobs (certificate_id, created_at);
CREATE INDEX IF NOT EXISTS idx_jobs_target_id ON jobs (target_id);
CREATE INDEX IF NOT EXISTS idx_jobs_type ON jobs (type);
CREATE INDEX IF NOT EXISTS idx_jobs_sort_created_at ON jobs (created_at, id);
CREATE INDEX IF NOT EXISTS idx_jobs_sort_updated_at ON jobs (updated_at, id);
CREATE INDEX IF NOT EXISTS idx_jobs_sort_status ON jobs (status, id);

-- Guardrails evaluated on issuance, renewal and deployment (REST: /policies).
CREATE TABLE IF NOT EXISTS policy_rules (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  type       TEXT NOT NULL
               CHECK (type IN ('AllowedIssuers', 'AllowedDomains', 'RequiredMetadata',
                   'AllowedEnvironments', 'RenewalLeadTime', 'CertificateLifetime')),
  config     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
  severity   TEXT NOT NULL DEFAULT 'Warning' CHECK (severity IN ('Warning', 'Error', 'Critical')),
  enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
               CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
               CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) IS updated_at)
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_policy_rules_name ON policy_rules (name);
CREATE INDEX IF NOT EXISTS idx_policy_rules_sort_name ON policy_rules (name, id);
CREATE INDEX IF NOT EXISTS idx_policy_rules_sort_type ON policy_rules (type, id);
CREATE INDEX IF NOT EXISTS idx_policy_rules_sort_created_at ON policy_rules (created_at, id);
CREATE INDEX IF NOT EXISTS idx_policy_rules_sort_updated_at ON policy_rules (updated_at, id);
CREATE INDEX IF NOT EXISTS idx_policy_rules_severity ON policy_rules (severity);
CREATE INDEX IF NOT EXISTS idx_policy_rules_enabled ON policy_rules (enabled);

-- One row per (rule, certificate) finding.
CREATE TABLE IF NOT EXISTS policy_violations (
  id             TEXT PRIMARY KEY,
  certificate_id TEXT NOT NULL REFERENCES managed_certificates (id) ON DELETE CASCADE,
  rule_id        TEXT NOT NULL REFERENCES policy_rules (id) ON DELETE CASCADE,
  message        TEXT NOT NULL,
  severity       TEXT NOT NULL CHECK (severity IN ('Warning', 'Error', 'Critical')),
  details        TEXT CHECK (details IS NULL OR json_valid(details)),
  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                   CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at)
);
CREATE INDEX IF NOT EXISTS idx_policy_violations_rule_created
  ON policy_violations (rule_id, created_at, id);
CREATE INDEX IF NOT EXISTS idx_policy_violations_certificate_id
  ON policy_violations (certificate_id);
CREATE INDEX IF NOT EXISTS idx_policy_violations_severity ON policy_violations (severity);
CREATE INDEX IF NOT EXISTS idx_policy_violations_sort_created_at
  ON policy_violations (created_at, id);

-- Append-only record of every API call and lifecycle action; the database
-- refuses UPDATE and DELETE (see 0002_audit_append_only.sql). body_hash is a
-- SHA-256 prefix of the request body; path excludes the query string.
CREATE TABLE IF NOT EXISTS audit_events (
  id            TEXT PRIMARY KEY,
  timestamp     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                  CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', timestamp) IS timestamp),
  actor         TEXT NOT NULL,
  actor_type    TEXT NOT NULL,
  action        TEXT NOT NULL,
  resource_type TEXT,
  resource_id   TEXT,
  method        TEXT,
  path          TEXT,
  status_code   INTEGER,
  latency_ms    REAL,
  body_hash     TEXT,
  request_id    TEXT,
  details       TEXT CHECK (details IS NULL OR json_valid(details))
);
CREATE INDEX IF NOT EXISTS idx_audit_events_sort_timestamp ON audit_events (timestamp, id);
CREATE INDEX IF NOT EXISTS idx_audit_events_actor ON audit_events (actor, timestamp);
CREATE INDEX IF NOT EXISTS idx_audit_events_action ON audit_events (action, timestamp);
CREATE INDEX IF NOT EXISTS idx_audit_events_resource
  ON audit_events (resource_type, resource_id, timestamp);
CREATE INDEX IF NOT EXISTS idx_audit_events_request_id ON audit_events (request_id);

-- Outgoing notifications and their delivery state. dedup_key makes a
-- (certificate, threshold, channel) alert fire once; failed rows are retried
-- at next_retry_at until they go 'dead'.
CREATE TABLE IF NOT EXISTS notification_events (
  id             TEXT PRIMARY KEY,
  type           TEXT NOT NULL,
  certificate_id TEXT REFERENCES managed_certificates (id) ON DELETE SET NULL,
  channel        TEXT NOT NULL,
  recipient      TEXT NOT NULL DEFAULT '',
  subject        TEXT,
  message        TEXT NOT NULL,
  status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'sent', 'failed', 'dead', 'read')),
  retry_count    INTEGER NOT NULL DEFAULT 0,
  next_retry_at  TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', next_retry_at) IS next_retry_at),
  last_error     TEXT,
  dedup_key      TEXT,
  metadata       TEXT CHECK (metadata IS NULL OR json_valid(metadata)),
  sent_at        TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', sent_at) IS sent_at),
  read_at        TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', read_at) IS read_at),
  created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                   CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at),
  updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                   CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) IS updated_at)
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_notification_events_dedup_key
  ON notification_events (dedup_key) WHERE dedup_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_notification_events_status_retry
  ON notification_events (status, next_retry_at);
CREATE INDEX IF NOT EXISTS idx_notification_events_certificate_id
  ON notification_events (certificate_id);
CREATE INDEX IF NOT EXISTS idx_notification_events_type ON notification_events (type);
CREATE INDEX IF NOT EXISTS idx_notification_events_sort_created_at
  ON notification_events (created_at, id);

-- Authoritative list of revoked serials per issuer (the CRL and OCSP source).
-- RESTRICT: a revoked certificate can never be deleted off the CRL.
CREATE TABLE IF NOT EXISTS certificate_revocations (
  id              TEXT PRIMARY KEY,
  certificate_id  TEXT NOT NULL REFERENCES managed_certificates (id) ON DELETE RESTRICT,
  issuer_id       TEXT NOT NULL REFERENCES issuers (id) ON DELETE RESTRICT,
  serial_number   TEXT NOT NULL,
  reason          TEXT NOT NULL DEFAULT 'unspecified'
                    CHECK (reason IN ('unspecified', 'keyCompromise', 'caCompromise',
                        'affiliationChanged', 'superseded', 'cessationOfOperation',
                        'certificateHold', 'privilegeWithdrawn')),
  revoked_by      TEXT NOT NULL,
  revoked_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                    CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', revoked_at) IS revoked_at),
  issuer_notified INTEGER NOT NULL DEFAULT 0 CHECK (issuer_notified IN (0, 1)),
  created_at      TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                    CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at)
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_certificate_revocations_issuer_serial
  ON certificate_revocations (issuer_id, serial_number);
CREATE INDEX IF NOT EXISTS idx_certificate_revocations_certificate_id
  ON certificate_revocations (certificate_id);
CREATE INDEX IF NOT EXISTS idx_certificate_revocations_issuer_revoked
  ON certificate_revocations (issuer_id, revoked_at);

-- The latest signed CRL per issuer, pre-generated by the scheduler.
-- crl_number increases monotonically per issuer (RFC 5280 5.2.3).
CREATE TABLE IF NOT EXISTS crl_cache (
  issuer_id              TEXT PRIMARY KEY REFERENCES issuers (id) ON DELETE CASCADE,
  crl_der                BLOB NOT NULL,
  crl_number             INTEGER NOT NULL,
  this_update            TEXT NOT NULL
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', this_update) IS this_update),
  next_update            TEXT NOT NULL
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', next_update) IS next_update),
  generated_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', generated_at) IS generated_at),
  generation_duration_ms INTEGER NOT NULL DEFAULT 0,
  revoked_count          INTEGER NOT NULL DEFAULT 0,
  created_at             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at),
  updated_at             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) IS updated_at)
);
CREATE INDEX IF NOT EXISTS idx_crl_cache_next_update ON crl_cache (next_update);

-- One row per discovery run. agent_id may be a sentinel such as
-- 'server-scanner' or 'cloud-aws-sm', so it is not a foreign key.
CREATE TABLE IF NOT EXISTS discovery_scans (
  id                 TEXT PRIMARY KEY,
  agent_id           TEXT NOT NULL,
  source             TEXT NOT NULL DEFAULT 'filesystem',
  directories        TEXT NOT NULL DEFAULT '[]'
                       CHECK (json_valid(directories) AND json_type(directories) = 'array'),
  certificates_found INTEGER NOT NULL DEFAULT 0,
  certificates_new   INTEGER NOT NULL DEFAULT 0,
  errors_count       INTEGER NOT NULL DEFAULT 0,
  scan_duration_ms   INTEGER NOT NULL DEFAULT 0,
  started_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                       CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', started_at) IS started_at),
  completed_at       TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', completed_at) IS completed_at),
  created_at         TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                       CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at)
);
CREATE INDEX IF NOT EXISTS idx_discovery_scans_agent_started
  ON discovery_scans (agent_id, started_at);
CREATE INDEX IF NOT EXISTS idx_discovery_scans_sort_started_at ON discovery_scans (started_at, id);
CREATE INDEX IF NOT EXISTS idx_discovery_scans_sort_created_at ON discovery_scans (created_at, id);

-- Certificates found by agents, network scans and cloud sources, for
-- triage (Unmanaged -> Managed | Dismissed). Deduplicated per
-- (fingerprint, agent, path); agent_id may be a sentinel, not a foreign key.
CREATE TABLE IF NOT EXISTS discovered_certificates (
  id                     TEXT PRIMARY KEY,
  fingerprint_sha256     TEXT NOT NULL,
  common_name            TEXT NOT NULL DEFAULT '',
  sans                   TEXT NOT NULL DEFAULT '[]'
                           CHECK (json_valid(sans) AND json_type(sans) = 'array'),
  serial_number          TEXT,
  issuer_dn              TEXT,
  subject_dn             TEXT,
  not_before             TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', not_before) IS not_before),
  not_after              TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', not_after) IS not_after),
  key_algorithm          TEXT,
  key_size               INTEGER,
  is_ca                  INTEGER NOT NULL DEFAULT 0 CHECK (is_ca IN (0, 1)),
  pem_data               TEXT,
  source_path            TEXT NOT NULL DEFAULT '',
  source_format          TEXT,
  agent_id               TEXT NOT NULL,
  discovery_scan_id      TEXT REFERENCES discovery_scans (id) ON DELETE SET NULL,
  managed_certificate_id TEXT REFERENCES managed_certificates (id) ON DELETE SET NULL,
  status                 TEXT NOT NULL DEFAULT 'Unmanaged'
                           CHECK (status IN ('Unmanaged', 'Managed', 'Dismissed')),
  first_seen_at          TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', first_seen_at) IS first_seen_at),
  last_seen_at           TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', last_seen_at) IS last_seen_at),
  dismissed_at           TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', dismissed_at) IS dismissed_at),
  dismissed_reason       TEXT,
  created_at             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at),
  updated_at             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) IS updated_at)
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_discovered_certificates_dedup
  ON discovered_certificates (fingerprint_sha256, agent_id, source_path);
CREATE INDEX IF NOT EXISTS idx_discovered_certificates_status ON discovered_certificates (status);
CREATE INDEX IF NOT EXISTS idx_discovered_certificates_agent_id
  ON discovered_certificates (agent_id);
CREATE INDEX IF NOT EXISTS idx_discovered_certificates_not_after
  ON discovered_certificates (not_after);
CREATE INDEX IF NOT EXISTS idx_discovered_certificates_managed_id
  ON discovered_certificates (managed_certificate_id);
CREATE INDEX IF NOT EXISTS idx_discovered_certificates_sort_created_at
  ON discovered_certificates (created_at, id);
CREATE INDEX IF NOT EXISTS idx_discovered_certificates_sort_updated_at
  ON discovered_certificates (updated_at, id);

-- CIDR ranges and ports the server probes for TLS certificates
-- (REST: /network-scan-targets, ids nst-...).
CREATE TABLE IF NOT EXISTS network_scan_targets (
  id                            TEXT PRIMARY KEY,
  name                          TEXT NOT NULL,
  cidrs                         TEXT NOT NULL DEFAULT '[]'
                                  CHECK (json_valid(cidrs) AND json_type(cidrs) = 'array'),
  ports                         TEXT NOT NULL DEFAULT '[443]'
                                  CHECK (json_valid(ports) AND json_type(ports) = 'array'),
  enabled                       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  scan_interval_hours           INTEGER NOT NULL DEFAULT 6,
  timeout_ms                    INTEGER NOT NULL DEFAULT 5000,
  last_scan_at                  TEXT
                                  CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', last_scan_at) IS last_scan_at),
  last_scan_duration_ms         INTEGER,
  last_scan_certs_found         INTEGER,
  last_scan_error               TEXT,
  health_check_enabled          INTEGER NOT NULL DEFAULT 0 CHECK (health_check_enabled IN (0, 1)),
  health_check_interval_seconds INTEGER NOT NULL DEFAULT 300,
  created_at                    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                                  CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at),
  updated_at                    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                                  CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) IS updated_at)
);
CREATE INDEX IF NOT EXISTS idx_network_scan_targets_sort_name ON network_scan_targets (name, id);
CREATE INDEX IF NOT EXISTS idx_network_scan_targets_sort_created_at
  ON network_scan_targets (created_at, id);
CREATE INDEX IF NOT EXISTS idx_network_scan_targets_sort_updated_at
  ON network_scan_targets (updated_at, id);
CREATE INDEX IF NOT EXISTS idx_network_scan_targets_enabled ON network_scan_targets (enabled);

-- Continuous TLS probes of live endpoints: is the expected certificate
-- served? status starts 'Unknown' until the first probe.
CREATE TABLE IF NOT EXISTS endpoint_health_checks (
  id                     TEXT PRIMARY KEY,
  endpoint               TEXT NOT NULL,
  certificate_id         TEXT REFERENCES managed_certificates (id) ON DELETE SET NULL,
  network_scan_target_id TEXT REFERENCES network_scan_targets (id) ON DELETE SET NULL,
  expected_fingerprint   TEXT,
  observed_fingerprint   TEXT,
  status                 TEXT NOT NULL DEFAULT 'Unknown'
                           CHECK (status IN ('Unknown', 'Healthy', 'Degraded', 'Down',
                               'CertMismatch')),
  consecutive_failures   INTEGER NOT NULL DEFAULT 0,
  response_time_ms       INTEGER,
  tls_version            TEXT,
  cipher_suite           TEXT,
  cert_subject           TEXT,
  cert_issuer            TEXT,
  cert_expiry            TEXT CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', cert_expiry) IS cert_expiry),
  last_checked_at        TEXT
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', last_checked_at) IS last_checked_at),
  last_success_at        TEXT
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', last_success_at) IS last_success_at),
  last_failure_at        TEXT
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', last_failure_at) IS last_failure_at),
  last_transition_at     TEXT
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', last_transition_at) IS last_transition_at),
  failure_reason         TEXT,
  degraded_threshold     INTEGER NOT NULL DEFAULT 2,
  down_threshold         INTEGER NOT NULL DEFAULT 5,
  check_interval_seconds INTEGER NOT NULL DEFAULT 300,
  enabled                INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  acknowledged           INTEGER NOT NULL DEFAULT 0 CHECK (acknowledged IN (0, 1)),
  acknowledged_by        TEXT,
  acknowledged_at        TEXT
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', acknowledged_at) IS acknowledged_at),
  created_at             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at),
  updated_at             TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                           CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) IS updated_at)
);
CREATE INDEX IF NOT EXISTS idx_endpoint_health_checks_status ON endpoint_health_checks (status);
CREATE INDEX IF NOT EXISTS idx_endpoint_health_checks_endpoint ON endpoint_health_checks (endpoint);
CREATE INDEX IF NOT EXISTS idx_endpoint_health_checks_certificate_id
  ON endpoint_health_checks (certificate_id);
CREATE INDEX IF NOT EXISTS idx_endpoint_health_checks_enabled_next
  ON endpoint_health_checks (enabled, last_checked_at);
CREATE INDEX IF NOT EXISTS idx_endpoint_health_checks_sort_created_at
  ON endpoint_health_checks (created_at, id);
CREATE INDEX IF NOT EXISTS idx_endpoint_health_checks_sort_updated_at
  ON endpoint_health_checks (updated_at, id);

-- One row per probe of a health check.
CREATE TABLE IF NOT EXISTS endpoint_health_history (
  id               TEXT PRIMARY KEY,
  health_check_id  TEXT NOT NULL REFERENCES endpoint_health_checks (id) ON DELETE CASCADE,
  status           TEXT NOT NULL,
  response_time_ms INTEGER,
  fingerprint      TEXT,
  failure_reason   TEXT,
  checked_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
                     CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', checked_at) IS checked_at)
);
CREATE INDEX IF NOT EXISTS idx_endpoint_health_history_check_time
  ON endpoint_health_history (health_check_id, checked_at);
