-- certctl schema, version 0004: policy rule type Lua (docs/lua.md).
ALTER TABLE policy_rules DROP CONSTRAINT IF EXISTS policy_rules_type_check;
ALTER TABLE policy_rules ADD CONSTRAINT policy_rules_type_check
  CHECK (type IN ('AllowedIssuers', 'AllowedDomains', 'RequiredMetadata',
                  'AllowedEnvironments', 'RenewalLeadTime', 'CertificateLifetime', 'Lua'));
