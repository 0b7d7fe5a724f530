-- certctl schema, PostgreSQL dialect, version 0005: ARI (RFC 9773).
-- When the issuing CA suggests a renewal window, the issuance picks a time
-- in it and the renewal check renews then, even before the renewal policy's
-- window opens (e.g. a CA announcing a mass revocation).
ALTER TABLE managed_certificates ADD COLUMN IF NOT EXISTS ari_renew_at TIMESTAMPTZ(0);
CREATE INDEX IF NOT EXISTS idx_managed_certificates_ari_renew_at
  ON managed_certificates (ari_renew_at) WHERE ari_renew_at IS NOT NULL;
