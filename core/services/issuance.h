#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/services/audit_log.h"
#include "core/services/issuer_registry.h"
#include "core/services/lifecycle_store.h"
#include "core/services/policy_evaluation.h"
#include "core/services/resource_service.h"
#include "sdk/pki/certificate.h"

namespace certctl::sdk::pki {
class Csr;
class PrivateKey;
}  // namespace certctl::sdk::pki

namespace certctl::services {

struct IssuanceSettings {
  std::string keygenMode = "agent";  // CERTCTL_KEYGEN_MODE: "agent" | "server"
  std::filesystem::path dataDir;     // server-made keys go to <dataDir>/server-keys/
  // claimed_by of the jobs this process runs: unique per process, so a
  // replica can tell its own claims from those of a dead one.
  std::string instanceId = "certctl-server";
  // A transient failure (issuer unreachable, database error) puts the job
  // back to Pending after backoff * 2^(attempt-1), capped, until the job's
  // max_attempts (CERTCTL_JOB_MAX_ATTEMPTS for new jobs) are used up.
  int maxAttempts = 3;
  std::chrono::seconds retryBackoff{30};
  std::chrono::seconds retryBackoffCap{3600};
};

// Turns issuance and renewal jobs into certificate versions, through one
// path whatever made the key: profile and policy checks, the issuer plugin,
// then the version, the job and the certificate written in one transaction.
//
//  * CERTCTL_KEYGEN_MODE=server (demo only): runJob() makes the key and CSR
//    itself; the key is written 0600 to
//    <data>/server-keys/<certificate_id>/<version_id>.key, never to the
//    database or a log.
//  * agent mode: runJob() parks the job in AwaitingCSR for the certificate's
//    agent, and submitCsr() (POST /agents/{id}/csr) completes it.
class IssuanceService {
 public:
  IssuanceService(ResourceService& resources, LifecycleStore& store, IssuerRegistry& issuers,
                  AuditLog& audit, IssuanceSettings settings);

  // Drops the cached policy rules whenever a rule changes on this server.
  void attach();

  // The job runner's handler for a Pending issuance/renewal job: agent
  // keygen moves it to AwaitingCSR, server keygen claims it (Running) and
  // runs it. Never throws for the job's own failures: a transient one
  // schedules a retry (Pending, scheduled_at later), any other ends up in
  // the job (Failed, last_error) and the certificate (Failed).
  void runJob(const std::string& jobId);
  // Runs a job this process has just claimed (Running, claimed_by
  // settings().instanceId), e.g. by the scheduler's batch claim. Should the
  // job have moved on meanwhile (cancelled, timed out), completing it fails
  // and nothing is written.
  void runClaimed(const std::string& jobId);

  // POST /agents/{id}/csr: {"csr_pem" (or "csr"), "job_id" or "certificate_id"}.
  struct CsrSubmission {
    std::string csrPem;
    std::string jobId;
    std::string certificateId;
  };
  // 400 naming the field for a malformed body.
  static CsrSubmission parseCsrSubmission(const nlohmann::json& body);
  // Signs the agent's CSR for its AwaitingCSR job and returns {job_id,
  // certificate_id, version_id, serial_number, cert_pem, chain_pem,
  // not_after}. 404 unknown agent, 409 no such job awaiting a CSR, 400 a
  // CSR that does not parse, verify or match the certificate (nothing
  // written); 400 a profile or policy refusal (the job and certificate Failed).
  nlohmann::json submitCsr(const std::string& agentId, const CsrSubmission& submission);

  // A certificate asked for over an enrollment protocol (EST, SCEP, ACME):
  // the client's CSR signed by `issuerId` through the same profile, policy
  // and inventory path as an agent's CSR, recorded as a managed certificate
  // of `source` (bound to `profileId` when not empty) with a completed
  // Issuance job. 400 for a CSR whose signature does not verify, that names
  // nothing or that the profile refuses; 404 for an unknown issuer or
  // profile (nothing written).
  struct Enrollment {
    std::string certificateId;
    std::string certPem;                // the leaf
    std::string chainPem;               // the CA certificates above it
    sdk::pki::Certificate certificate;  // certPem, parsed (keys deferred)
  };
  Enrollment enrollCsr(const std::string& issuerId, const sdk::pki::Csr& csr,
                       const std::string& source, const std::string& profileId = {});

  // A renewal asked for over an enrollment protocol (EST simplereenroll) by
  // the holder of the certificate with serial `currentSerialHex` from
  // `issuerId`: a new version of that managed certificate (Renewal job, the
  // issuer's renew), so the inventory keeps one certificate per device. A
  // serial certctl does not know (a factory certificate from another CA) or
  // a certificate no longer in use (Revoked, Archived) enrolls anew as
  // enrollCsr does. The caller has checked that the CSR names nothing the
  // current certificate does not. 409 while another job of it is in flight.
  Enrollment reenrollCsr(const std::string& currentSerialHex, const std::string& issuerId,
                         const sdk::pki::Csr& csr, const std::string& source,
                         const std::string& profileId = {});

  const IssuanceSettings& settings() const { return settings_; }

  // Told after an issuance or renewal committed its version (e.g. to queue
  // deployments of it); `agentKey` is false when the server made the key.
  // Register before requests are served; a listener's exception is logged.
  using IssuedListener =
      std::function<void(const nlohmann::json& job, const nlohmann::json& version, bool agentKey)>;
  void addIssuedListener(IssuedListener listener) {
    issuedListeners_.push_back(std::move(listener));
  }

  // The audit actor of what the server does on its own.
  static constexpr const char* kClaimedBy = "certctl-server";

 private:
  struct Issued {
    nlohmann::json version;  // the stored certificate_versions row
    std::string certPem;
    std::string chainPem;
    std::optional<sdk::pki::Certificate> leaf;  // certPem, parsed (keys deferred)
  };
  nlohmann::json protocolJob(const std::string& type, const std::string& certificateId,
                             const std::string& reason, const std::string& now) const;
  // The managed certificate (not Revoked or Archived) whose version has
  // this serial from this issuer.
  std::optional<nlohmann::json> certificateWithSerial(const std::string& serialHex,
                                                      const std::string& issuerId);
  // Whether an issuance's job and certificate are rows yet. An enrollment
  // protocol's new certificate is not: it is written only with its outcome,
  // in one transaction, unless something had to be recorded about it
  // before (policy findings), and issue() then sets Yes.
  enum class Stored { Yes, NotYet };
  // The caller has verified the CSR's signature (the plugin is told so).
  Issued issue(const nlohmann::json& job, const nlohmann::json& certificate,
               const sdk::pki::Csr& csr, const sdk::pki::PrivateKey* serverKey) {
    Stored stored = Stored::Yes;
    return issue(job, certificate, csr, serverKey, stored);
  }
  Issued issue(const nlohmann::json& job, const nlohmann::json& certificate,
               const sdk::pki::Csr& csr, const sdk::pki::PrivateKey* serverKey, Stored& stored);
  // Runs `insert` with a new enrolled certificate; when its name is taken
  // (a device enrolling again under the same CN: a re-provisioned phone, a
  // second SCEP transaction), once more with the certificate named after
  // its id.
  static void insertUniquelyNamed(nlohmann::json certificate,
                                  const std::function<void(const nlohmann::json&)>& insert);
  void recordFindings(const nlohmann::json& job, const nlohmann::json& certificate,
                      const std::vector<PolicyFinding>& findings);
  // Marks a job as being signed by this server for the guard's lifetime;
  // Conflict when it already is.
  class SigningGuard {
   public:
    SigningGuard(IssuanceService& service, std::string jobId);
    ~SigningGuard();
    SigningGuard(const SigningGuard&) = delete;
    SigningGuard& operator=(const SigningGuard&) = delete;

   private:
    IssuanceService& service_;
    std::string jobId_;
  };

  // Enabled policy rules, read at most every few seconds: every issuance
  // needs them, and a change made through this server is seen at once.
  std::shared_ptr<const std::vector<nlohmann::json>> policyRules();
  // The job's certificate when it can still be issued; otherwise the job is
  // failed and nullopt returned.
  std::optional<nlohmann::json> issuableCertificate(const nlohmann::json& job);
  // The end of a failed attempt: a retry when `transient` and attempts are
  // left, else Failed.
  void recordFailure(const nlohmann::json& job, const std::string& error, bool transient);
  std::filesystem::path serverKeyPath(const std::string& certificateId,
                                      const std::string& versionId) const;

  ResourceService& resources_;
  LifecycleStore& store_;
  IssuerRegistry& issuers_;
  AuditLog& audit_;
  IssuanceSettings settings_;

  // Another replica's rule change shows up after at most this long.
  static constexpr std::chrono::seconds kRulesCacheTtl{5};
  std::mutex rulesMutex_;
  std::shared_ptr<const std::vector<nlohmann::json>> rules_;
  std::chrono::steady_clock::time_point rulesLoadedAt_;
  std::mutex signingMutex_;
  std::set<std::string> signing_;
  std::vector<IssuedListener> issuedListeners_;
};

}  // namespace certctl::services
