-- certctl schema, version 0004: policy rule type Lua (docs/lua.md).
--
-- SQLite cannot alter a CHECK constraint, so policy_rules is rebuilt. The
-- migration runs in a transaction with foreign keys on, where dropping the
-- table deletes its violations (ON DELETE CASCADE): rules and violations are
-- kept aside in temporary copies and put back.
CREATE TEMP TABLE policy_rules_0004 AS SELECT * FROM policy_rules;
CREATE TEMP TABLE policy_violations_0004 AS SELECT * FROM policy_violations;
DROP TABLE policy_rules;

CREATE TABLE IF NOT EXISTS policy_rules (
  id         TEXT PRIMARY KEY,
  name       TEXT NOT NULL,
  type       TEXT NOT NULL
               CHECK (type IN ('AllowedIssuers', 'AllowedDomains', 'RequiredMetadata',
                   'AllowedEnvironments', 'RenewalLeadTime', 'CertificateLifetime', 'Lua')),
  config     TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(config)),
  severity   TEXT NOT NULL DEFAULT 'Warning' CHECK (severity IN ('Warning', 'Error', 'Critical')),
  enabled    INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
               CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', created_at) IS created_at),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
               CHECK (strftime('%Y-%m-%dT%H:%M:%SZ', updated_at) IS updated_at)
);
INSERT INTO policy_rules (id, name, type, config, severity, enabled, created_at, updated_at)
  SELECT id, name, type, config, severity, enabled, created_at, updated_at FROM policy_rules_0004;

-- Dropped with the old table.
CREATE UNIQUE INDEX IF NOT EXISTS ux_policy_rules_name ON policy_rules (name);
CREATE INDEX IF NOT EXISTS idx_policy_rules_sort_name ON policy_rules (name, id);
CREATE INDEX IF NOT EXISTS idx_policy_rules_sort_type ON policy_rules (type, id);
CREATE INDEX IF NOT EXISTS idx_policy_rules_sort_created_at ON policy_rules (created_at, id);
CREATE INDEX IF NOT EXISTS idx_policy_rules_sort_updated_at ON policy_rules (updated_at, id);
CREATE INDEX IF NOT EXISTS idx_policy_rules_severity ON policy_rules (severity);
CREATE INDEX IF NOT EXISTS idx_policy_rules_enabled ON policy_rules (enabled);

INSERT INTO policy_violations SELECT * FROM policy_violations_0004
  WHERE id NOT IN (SELECT id FROM policy_violations);
DROP TABLE policy_violations_0004;
DROP TABLE policy_rules_0004;
