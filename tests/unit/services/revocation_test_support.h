#pragma once

// Shared by the revocation, CRL and OCSP unit tests: a migrated SQLite
// database with the real SqlRevocationStore, rows inserted straight into it,
// and a fake CA behind the RevocationIssuerGateway that signs real CRLs and
// OCSP responses (so tests parse what a relying party would get) and counts
// and can stall or fail its calls.

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/domain/timestamps.h"
#include "core/services/audit_log.h"
#include "core/services/revocation_issuer_gateway.h"
#include "core/store/sql_revocation_store.h"
#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/crl_builder.h"
#include "sdk/pki/ocsp_response_builder.h"
#include "sdk/pki/private_key.h"
#include "tests/support/test_database.h"

namespace certctl::testing::revocation {

namespace pki = sdk::pki;

inline std::chrono::system_clock::time_point timeOf(const std::string& rfc3339) {
  auto t = domain::parseRfc3339(rfc3339);
  if (!t) throw std::runtime_error("bad time " + rfc3339);
  return *t;
}

inline std::string inSeconds(long long seconds) {
  return domain::formatRfc3339(domain::nowSeconds() + std::chrono::seconds(seconds));
}

class FakeCa : public services::RevocationIssuerGateway {
 public:
  FakeCa()
      : key(pki::PrivateKey::generateEcP256()),
        cert(pki::CertificateBuilder()
                 .commonName("Fake revocation CA")
                 .validFor(std::chrono::hours(24 * 365))
                 .ca(true)
                 .selfSign(key)) {}

  Availability availability(const std::string& issuerId, const std::string& operation) override {
    std::lock_guard lock(mutex);
    if (!known.count(issuerId)) return Availability::UnknownIssuer;
    if (operation == "generate_crl" && withoutCrl.count(issuerId)) return Availability::Unavailable;
    if (operation == "sign_ocsp" && withoutOcsp.count(issuerId)) return Availability::Unavailable;
    return Availability::Available;
  }

  void revoke(const std::string& issuerId, const std::string& serial,
              const std::string& reason) override {
    ++revokeCalls;
    if (failRevoke) throw std::runtime_error("CA unreachable");
    std::lock_guard lock(mutex);
    revoked.push_back(issuerId + "/" + serial + "/" + reason);
  }

  std::string generateCrl(const std::string&, const services::CrlEntryList& entries,
                          long long crlNumber, const std::string& thisUpdate,
                          const std::string& nextUpdate) override {
    ++crlCalls;
    if (beforeCrl) beforeCrl();
    if (failCrl) throw std::runtime_error("CRL signing failed");
    pki::CrlBuilder builder(cert, key);
    builder.number(static_cast<std::uint64_t>(crlNumber))
        .thisUpdate(timeOf(thisUpdate))
        .nextUpdate(timeOf(nextUpdate));
    entries.forEach(
        [&](std::string_view serial, std::string_view revokedAt, std::string_view reason) {
          builder.add(serial, timeOf(std::string(revokedAt)), *pki::parseRevocationReason(reason));
        });
    return builder.sign().der;
  }

  std::string signOcsp(const std::string&, const OcspSignRequest& r) override {
    ++ocspCalls;
    {
      std::lock_guard lock(mutex);
      ocspRequests.push_back(r);
    }
    pki::OcspResponseBuilder builder(cert, cert, key);
    builder.thisUpdate(timeOf(r.thisUpdate)).nextUpdate(timeOf(r.nextUpdate));
    if (!r.nonce.empty()) builder.nonce(r.nonce);
    pki::OcspCertStatus status = pki::OcspCertStatus::good();
    if (r.status == "revoked")
      status =
          pki::OcspCertStatus::revoked(timeOf(r.revokedAt), *pki::parseRevocationReason(r.reason));
    else if (r.status == "unknown")
      status = pki::OcspCertStatus::unknown();
    builder.add(pki::OcspCertId::forSerial(cert, r.serial, r.hashAlgorithm), status);
    return builder.sign();
  }

  std::string caCertificatePem(const std::string&) override { return cert.toPem(); }

  pki::PrivateKey key;
  pki::Certificate cert;
  std::mutex mutex;
  std::set<std::string> known{"iss-a", "iss-b"};
  std::set<std::string> withoutCrl, withoutOcsp;
  std::vector<std::string> revoked;
  std::vector<OcspSignRequest> ocspRequests;
  std::atomic<int> revokeCalls{0}, crlCalls{0}, ocspCalls{0};
  std::atomic<bool> failRevoke{false}, failCrl{false};
  std::function<void()> beforeCrl;
};

class RecordingAuditLog : public services::AuditLog {
 public:
  void record(services::AuditEvent event, bool) override {
    std::lock_guard lock(mutex);
    events.push_back(std::move(event));
  }
  void flush() override {}
  std::vector<services::AuditEvent> withAction(const std::string& action) {
    std::lock_guard lock(mutex);
    std::vector<services::AuditEvent> out;
    for (const auto& e : events)
      if (e.action == action) out.push_back(e);
    return out;
  }
  std::mutex mutex;
  std::vector<services::AuditEvent> events;
};

// A database with issuers iss-a and iss-b, plus helpers for the rest.
struct RevocationDb {
  TestDatabase database{"sqlite"};
  store::SqlRevocationStore store{database.db()};

  RevocationDb() {
    exec(
        "INSERT INTO issuers (id, name, type) VALUES ('iss-a', 'A', 'GenericCA'), "
        "('iss-b', 'B', 'GenericCA')");
  }

  void exec(const std::string& sql) {
    auto lease = database.db().acquire();
    database.db().executeScript(*lease, sql);
  }

  static std::string quoted(const std::string& v) { return v.empty() ? "NULL" : "'" + v + "'"; }

  // max_ttl_seconds of the profile; 0 = no limit.
  void profile(const std::string& id, long long maxTtlSeconds) {
    exec("INSERT INTO certificate_profiles (id, name, max_ttl_seconds) VALUES ('" + id + "', '" +
         id + "', " + (maxTtlSeconds ? std::to_string(maxTtlSeconds) : "NULL") + ")");
  }
  void team(const std::string& id) {
    exec("INSERT INTO teams (id, name) VALUES ('" + id + "', '" + id + "')");
  }
  void owner(const std::string& id) {
    exec("INSERT INTO owners (id, name, email) VALUES ('" + id + "', '" + id +
         "', 'o@example.test')");
  }
  void agent(const std::string& id, const std::string& os = "linux") {
    exec("INSERT INTO agents (id, name, os) VALUES ('" + id + "', '" + id + "', '" + os + "')");
  }

  struct Cert {
    std::string issuer = "iss-a";
    std::string profile{}, team{}, owner{}, agent{};
    std::string status = "Active";
  };
  void certificate(const std::string& id, const Cert& c) {
    exec(
        "INSERT INTO managed_certificates (id, name, common_name, issuer_id, "
        "certificate_profile_id, team_id, owner_id, agent_id, status) VALUES ('" +
        id + "', '" + id + "', '" + id + ".example.test', '" + c.issuer + "', " +
        quoted(c.profile) + ", " + quoted(c.team) + ", " + quoted(c.owner) + ", " +
        quoted(c.agent) + ", '" + c.status + "')");
  }
  void certificate(const std::string& id) { certificate(id, Cert{}); }

  // A version issued `ageSeconds` ago, expiring in `expiresIn` seconds.
  void version(const std::string& certificateId, const std::string& serial,
               long long expiresIn = 86400, long long ageSeconds = 60,
               const std::string& issuer = "iss-a") {
    static int n = 0;
    const std::string id = "cv-" + certificateId + "-" + std::to_string(++n);
    exec(
        "INSERT INTO certificate_versions (id, certificate_id, issuer_id, serial_number, "
        "not_before, not_after, fingerprint_sha256, pem_chain, created_at) VALUES ('" +
        id + "', '" + certificateId + "', '" + issuer + "', '" + serial + "', '" +
        inSeconds(-ageSeconds) + "', '" + inSeconds(expiresIn) + "', '" + id + "', 'x', '" +
        inSeconds(-ageSeconds) + "')");
  }
};

}  // namespace certctl::testing::revocation
