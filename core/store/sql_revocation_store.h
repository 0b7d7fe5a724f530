#pragma once

#include "core/services/revocation_store.h"
#include "core/store/database.h"

namespace certctl::store {

// services::RevocationStore over the certificate_revocations, certificate_versions,
// managed_certificates, certificate_profiles and crl_cache tables, both dialects.
class SqlRevocationStore : public services::RevocationStore {
 public:
  explicit SqlRevocationStore(Database& db) : db_(db) {}

  std::optional<services::CertificateForRevocation> certificate(const std::string& id) override;
  std::vector<services::IssuedSerial> revocableSerials(const std::string& certificateId,
                                                       const std::string& now) override;
  bool recordRevocation(const services::CertificateForRevocation& certificate,
                        const std::vector<services::IssuedSerial>& serials,
                        const std::string& reason, const std::string& revokedBy,
                        const std::string& revokedAt) override;
  std::vector<services::RevocationRecord> revocations(const std::string& certificateId) override;
  void markIssuerNotified(const std::string& revocationId) override;
  std::vector<std::string> matchCertificates(const services::BulkRevokeCriteria& criteria) override;
  std::vector<services::RevokedSerial> crlEntries(const std::string& issuerId) override;
  services::CrlEntryList crlEntryList(const std::string& issuerId) override;
  services::SerialStatus serialStatus(const std::string& issuerId,
                                      const std::string& serial) override;
  std::vector<std::string> enabledIssuerIds() override;
  std::optional<long long> crlNumber(const std::string& issuerId) override;
  std::optional<services::CrlCacheRow> crl(const std::string& issuerId) override;
  std::vector<services::CrlCacheRow> crlCache() override;
  void storeCrl(const services::CrlCacheRow& row) override;
  void withCrlLock(const std::string& issuerId, const std::function<void()>& fn) override;

 private:
  bool postgres() const { return db_.dialect() == Dialect::Postgres; }
  // A timestamp column read as "YYYY-MM-DDTHH:MM:SSZ" text.
  std::string ts(const std::string& column) const;
  // Parameter $n cast to a timestamp (PostgreSQL) or left as text (SQLite).
  std::string tsParam(int n) const;

  Database& db_;
};

}  // namespace certctl::store
