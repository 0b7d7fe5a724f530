-- certctl schema, SQLite dialect, version 0006: the built-in ACME server
-- (RFC 8555, RFC 9773). Times are Unix seconds; JSON members are text.
ALTER TABLE certificate_profiles ADD COLUMN acme_auth_mode TEXT NOT NULL
  DEFAULT 'trust_authenticated' CHECK (acme_auth_mode IN ('trust_authenticated', 'challenge'));

CREATE TABLE IF NOT EXISTS acme_accounts (
  id          TEXT PRIMARY KEY,
  profile_id  TEXT NOT NULL REFERENCES certificate_profiles (id) ON DELETE CASCADE,
  jwk         TEXT NOT NULL CHECK (json_valid(jwk)),
  thumbprint  TEXT NOT NULL,
  status      TEXT NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'deactivated', 'revoked')),
  contact     TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(contact)),
  terms_agreed INTEGER NOT NULL DEFAULT 0 CHECK (terms_agreed IN (0, 1)),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS ux_acme_accounts_thumbprint
  ON acme_accounts (profile_id, thumbprint);

CREATE TABLE IF NOT EXISTS acme_orders (
  id                 TEXT PRIMARY KEY,
  account_id         TEXT NOT NULL REFERENCES acme_accounts (id) ON DELETE CASCADE,
  profile_id         TEXT NOT NULL,
  status             TEXT NOT NULL
                       CHECK (status IN ('pending', 'ready', 'processing', 'valid', 'invalid')),
  identifiers        TEXT NOT NULL CHECK (json_valid(identifiers)),
  expires_at         INTEGER NOT NULL,
  error              TEXT,
  replaces           TEXT,
  certificate_id     TEXT,
  certificate_serial TEXT,
  certificate_pem    TEXT,
  created_at         INTEGER NOT NULL,
  updated_at         INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_acme_orders_account ON acme_orders (account_id, created_at);
CREATE INDEX IF NOT EXISTS idx_acme_orders_certificate ON acme_orders (certificate_id)
  WHERE certificate_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_acme_orders_serial ON acme_orders (profile_id, certificate_serial)
  WHERE certificate_serial IS NOT NULL;
CREATE INDEX IF NOT EXISTS idx_acme_orders_replaces ON acme_orders (profile_id, replaces)
  WHERE replaces IS NOT NULL;

CREATE TABLE IF NOT EXISTS acme_authorizations (
  id               TEXT PRIMARY KEY,
  order_id         TEXT NOT NULL REFERENCES acme_orders (id) ON DELETE CASCADE,
  account_id       TEXT NOT NULL,
  identifier_type  TEXT NOT NULL CHECK (identifier_type IN ('dns', 'ip')),
  identifier_value TEXT NOT NULL,
  wildcard         INTEGER NOT NULL DEFAULT 0 CHECK (wildcard IN (0, 1)),
  status           TEXT NOT NULL CHECK (status IN ('pending', 'valid', 'invalid', 'deactivated',
                                                   'expired', 'revoked')),
  expires_at       INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_acme_authorizations_order ON acme_authorizations (order_id);

CREATE TABLE IF NOT EXISTS acme_challenges (
  id               TEXT PRIMARY KEY,
  authorization_id TEXT NOT NULL REFERENCES acme_authorizations (id) ON DELETE CASCADE,
  type             TEXT NOT NULL CHECK (type IN ('http-01', 'dns-01', 'tls-alpn-01')),
  token            TEXT NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('pending', 'processing', 'valid', 'invalid')),
  error            TEXT,
  validated_at     INTEGER
);
CREATE INDEX IF NOT EXISTS idx_acme_challenges_authorization
  ON acme_challenges (authorization_id);

-- Replay nonces live here so that every replica accepts the others'.
CREATE TABLE IF NOT EXISTS acme_nonces (
  nonce      TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS idx_acme_nonces_expires_at ON acme_nonces (expires_at);
