#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/services/audit_log.h"
#include "core/services/revocation_issuer_gateway.h"
#include "core/services/revocation_store.h"

namespace certctl::services {

class AgentGroupService;

// Who asked, for the revocation record and the audit trail.
struct RevocationActor {
  std::string actor = "anonymous";
  std::string requestId;
};

// Certificate revocation (seed 000 "Certificate Revocation"): records the
// revocation of a certificate's issued versions, marks it revoked, tells the
// issuing CA best-effort, audits, and tells listeners (CRL regeneration,
// OCSP cache invalidation) which serials changed.
class RevocationService {
 public:
  RevocationService(RevocationStore& store, RevocationIssuerGateway& issuers, AuditLog& audit,
                    AgentGroupService* agentGroups);

  // Called after each new revocation with the serials it covered, per issuer.
  using Listener =
      std::function<void(const std::string& issuerId, const std::vector<std::string>& serials)>;
  void addListener(Listener listener) { listeners_.push_back(std::move(listener)); }

  // POST /certificates/{id}/revoke {"reason"}: idempotent; a certificate
  // revoked before is answered with its existing record. 404 unknown
  // certificate, 409 no issued version, 400 bad reason.
  // {certificate_id, status, revoked_at, revocation_reason, already_revoked,
  //  revocations: [{id, issuer_id, serial_number, reason, revoked_at, revoked_by,
  //  issuer_notified}]}
  nlohmann::json revoke(const std::string& certificateId, const nlohmann::json& body,
                        const RevocationActor& actor);

  // POST /certificates/bulk-revoke {reason, profile_id, owner_id, team_id,
  // agent_id, agent_group_id, issuer_id, certificate_ids}: every given
  // criterion must match (at least one is required); archived certificates
  // are never touched. {matched, revoked, skipped, failed,
  // results: [{certificate_id, status: revoked|skipped|failed, error?}]}
  nlohmann::json bulkRevoke(const nlohmann::json& body, const RevocationActor& actor);

  // The RFC 5280 reason name the API stores ("keyCompromise") for any
  // spelling parseRevocationReason accepts; absent/null = "unspecified".
  // Throws BadRequest naming "reason".
  static std::string canonicalReason(const nlohmann::json& value);

 private:
  struct Outcome {
    nlohmann::json record;
    bool alreadyRevoked = false;
  };
  Outcome revokeOne(const std::string& certificateId, const std::string& reason,
                    const RevocationActor& actor);
  // Tells the CA about every revocation not yet acknowledged; best-effort.
  void notifyIssuers(std::vector<RevocationRecord>& records);
  nlohmann::json recordJson(const std::string& certificateId, bool alreadyRevoked);

  RevocationStore& store_;
  RevocationIssuerGateway& issuers_;
  AuditLog& audit_;
  AgentGroupService* agentGroups_;
  std::vector<Listener> listeners_;
};

}  // namespace certctl::services
