#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/services/crl_entry_list.h"

namespace certctl::services {

// Storage the revocation, CRL and OCSP services need (implemented in
// core/store/sql_revocation_store). Serials are Certificate::serialHex()
// text (uppercase hex, no leading zeros); times are RFC 3339 UTC seconds.

struct CertificateForRevocation {
  std::string id;
  std::string status;
  std::string issuerId;
  std::string revokedAt;         // "" when not revoked
  std::string revocationReason;  // "" when not revoked
};

// One issued certificate version that a revocation covers.
struct IssuedSerial {
  std::string issuerId;
  std::string serialNumber;
  std::string notAfter;
};

// A certificate_revocations row.
struct RevocationRecord {
  std::string id;
  std::string certificateId;
  std::string issuerId;
  std::string serialNumber;
  std::string reason;
  std::string revokedBy;
  std::string revokedAt;
  bool issuerNotified = false;
};

// One entry of an issuer's CRL.
struct RevokedSerial {
  std::string serialNumber;
  std::string revokedAt;
  std::string reason;
};

// What the OCSP responder answers for a serial of an issuer.
struct SerialStatus {
  enum class State { NotIssued, ShortLived, Good, Revoked };
  State state = State::NotIssued;
  std::string revokedAt;  // Revoked only
  std::string reason;     // Revoked only
};

// Bulk revocation filters; every one given must match (AND). Empty = not used.
struct BulkRevokeCriteria {
  std::string profileId;
  std::string ownerId;
  std::string teamId;
  std::string issuerId;
  std::string agentId;
  // Set when an agent group was given: the certificate's agent must be one of these.
  std::optional<std::vector<std::string>> agentIds;
  std::vector<std::string> certificateIds;
};

// A crl_cache row (der empty when read without it).
struct CrlCacheRow {
  std::string issuerId;
  std::string der;
  long long crlNumber = 0;
  std::string thisUpdate;
  std::string nextUpdate;
  std::string generatedAt;
  long long generationDurationMs = 0;
  long long revokedCount = 0;
  long long sizeBytes = 0;  // of the DER
};

class RevocationStore {
 public:
  virtual ~RevocationStore() = default;

  virtual std::optional<CertificateForRevocation> certificate(const std::string& id) = 0;

  // The versions a revocation covers: every version not expired at `now`,
  // and the newest version even when it has expired. A version without an
  // issuer is attributed to the certificate's issuer.
  virtual std::vector<IssuedSerial> revocableSerials(const std::string& certificateId,
                                                     const std::string& now) = 0;

  // One transaction: marks the certificate revoked (an archived certificate
  // keeps its status and gets revoked_at/revocation_reason) and records one
  // revocation per serial, keeping any (issuer, serial) already recorded.
  // Returns false, writing nothing, when the certificate was revoked already
  // (also by a concurrent request).
  virtual bool recordRevocation(const CertificateForRevocation& certificate,
                                const std::vector<IssuedSerial>& serials, const std::string& reason,
                                const std::string& revokedBy, const std::string& revokedAt) = 0;

  // The revocation rows of a certificate, oldest first.
  virtual std::vector<RevocationRecord> revocations(const std::string& certificateId) = 0;
  virtual void markIssuerNotified(const std::string& revocationId) = 0;

  // Ids of the non-archived certificates matching every criterion, by id.
  virtual std::vector<std::string> matchCertificates(const BulkRevokeCriteria& criteria) = 0;

  // The CRL content of an issuer: its revocations minus those of short-lived
  // certificates (profile TTL under one hour).
  virtual std::vector<RevokedSerial> crlEntries(const std::string& issuerId) = 0;
  // The same, packed (what CRL generation reads: up to millions of rows).
  // By default made from crlEntries().
  virtual CrlEntryList crlEntryList(const std::string& issuerId) {
    CrlEntryList list;
    for (const auto& e : crlEntries(issuerId)) list.add(e.serialNumber, e.revokedAt, e.reason);
    return list;
  }

  // Whether `serial` was issued by `issuerId`, and its revocation.
  virtual SerialStatus serialStatus(const std::string& issuerId, const std::string& serial) = 0;

  // Ids of the enabled issuers.
  virtual std::vector<std::string> enabledIssuerIds() = 0;

  // crl_cache.
  virtual std::optional<long long> crlNumber(const std::string& issuerId) = 0;
  virtual std::optional<CrlCacheRow> crl(const std::string& issuerId) = 0;  // with the DER
  virtual std::vector<CrlCacheRow> crlCache() = 0;                          // without the DER
  // Upsert; a row with a higher crl_number already stored is kept.
  virtual void storeCrl(const CrlCacheRow& row) = 0;
  // Runs `fn` holding the issuer's CRL lock across server replicas
  // (PostgreSQL advisory lock), so CRL numbers are never issued twice.
  virtual void withCrlLock(const std::string& issuerId, const std::function<void()>& fn) = 0;
};

// Profile TTL below this makes a certificate short-lived: no CRL, no OCSP.
inline constexpr long long kShortLivedTtlSeconds = 3600;

}  // namespace certctl::services
