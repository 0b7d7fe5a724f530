#include "core/services/revocation_service.h"

#include <spdlog/spdlog.h>

#include <map>
#include <set>

#include "core/domain/errors.h"
#include "core/domain/timestamps.h"
#include "core/services/agent_group_service.h"
#include "core/services/resource_service.h"
#include "sdk/pki/revocation_reason.h"

using nlohmann::json;

namespace certctl::services {

namespace {

namespace pki = sdk::pki;

// The reasons certificate_revocations accepts (RevocationReason in the API
// reference); removeFromCRL and aACompromise have no meaning here.
bool storable(pki::RevocationReason reason) {
  switch (reason) {
    case pki::RevocationReason::unspecified:
    case pki::RevocationReason::keyCompromise:
    case pki::RevocationReason::caCompromise:
    case pki::RevocationReason::affiliationChanged:
    case pki::RevocationReason::superseded:
    case pki::RevocationReason::cessationOfOperation:
    case pki::RevocationReason::certificateHold:
    case pki::RevocationReason::privilegeWithdrawn:
      return true;
    default:
      return false;
  }
}

constexpr const char* kReasonList =
    "unspecified, keyCompromise, caCompromise, affiliationChanged, superseded, "
    "cessationOfOperation, certificateHold, privilegeWithdrawn";

constexpr std::size_t kMaxBulkIds = 10000;

json revocationJson(const RevocationRecord& r) {
  return {{"id", r.id},
          {"issuer_id", r.issuerId},
          {"serial_number", r.serialNumber},
          {"reason", r.reason},
          {"revoked_at", r.revokedAt},
          {"revoked_by", r.revokedBy},
          {"issuer_notified", r.issuerNotified}};
}

std::string optionalId(const json& body, const char* field) {
  auto it = body.find(field);
  if (it == body.end() || it->is_null()) return {};
  if (!it->is_string() || it->get<std::string>().empty() || !isValidId(it->get<std::string>()))
    throw domain::badRequest(field, std::string(field) + " must be a non-empty id");
  return it->get<std::string>();
}

}  // namespace

RevocationService::RevocationService(RevocationStore& store, RevocationIssuerGateway& issuers,
                                     AuditLog& audit, AgentGroupService* agentGroups)
    : store_(store), issuers_(issuers), audit_(audit), agentGroups_(agentGroups) {}

std::string RevocationService::canonicalReason(const json& value) {
  if (value.is_null()) return "unspecified";
  if (!value.is_string())
    throw domain::badRequest("reason", std::string("reason must be one of: ") + kReasonList);
  auto parsed = pki::parseRevocationReason(value.get<std::string>());
  if (!parsed || !storable(*parsed))
    throw domain::badRequest("reason", "unknown revocation reason '" + value.get<std::string>() +
                                           "'; expected one of: " + kReasonList);
  return std::string(pki::revocationReasonName(*parsed));
}

json RevocationService::revoke(const std::string& certificateId, const json& body,
                               const RevocationActor& actor) {
  if (!body.is_object()) throw domain::badRequest("body", "request body must be a JSON object");
  for (const auto& [key, value] : body.items())
    if (key != "reason") throw domain::badRequest(key, "unknown field " + key);
  const std::string reason = canonicalReason(body.value("reason", json()));
  return revokeOne(certificateId, reason, actor).record;
}

RevocationService::Outcome RevocationService::revokeOne(const std::string& certificateId,
                                                        const std::string& reason,
                                                        const RevocationActor& actor) {
  if (!isValidId(certificateId)) throw domain::notFound("certificate not found: " + certificateId);
  auto certificate = store_.certificate(certificateId);
  if (!certificate) throw domain::notFound("certificate not found: " + certificateId);

  if (certificate->revokedAt.empty()) {
    const std::string now = domain::nowRfc3339();
    auto serials = store_.revocableSerials(certificateId, now);
    if (serials.empty())
      throw domain::conflict("certificate " + certificateId +
                             " has no issued version to revoke (status " + certificate->status +
                             ")");
    if (store_.recordRevocation(*certificate, serials, reason, actor.actor, now)) {
      auto records = store_.revocations(certificateId);
      notifyIssuers(records);

      AuditEvent event;
      event.actor = actor.actor;
      event.actorType = actor.actor == "anonymous" ? "anonymous" : "api_key";
      event.action = "certificate.revoked";
      event.resourceType = "certificates";
      event.resourceId = certificateId;
      event.requestId = actor.requestId;
      event.statusCode = 200;
      json serialList = json::array();
      bool notified = true;
      for (const auto& r : records) {
        serialList.push_back({{"issuer_id", r.issuerId}, {"serial_number", r.serialNumber}});
        notified = notified && r.issuerNotified;
      }
      event.details = {{"reason", reason}, {"serials", serialList}, {"issuer_notified", notified}};
      try {
        audit_.record(std::move(event), true);
      } catch (const std::exception& e) {
        spdlog::error("audit of revocation of {} failed: {}", certificateId, e.what());
      }

      std::map<std::string, std::vector<std::string>> byIssuer;
      for (const auto& s : serials) byIssuer[s.issuerId].push_back(s.serialNumber);
      for (const auto& [issuerId, list] : byIssuer) {
        for (const auto& listener : listeners_) {
          try {
            listener(issuerId, list);
          } catch (const std::exception& e) {
            spdlog::error("revocation listener failed for {}: {}", certificateId, e.what());
          }
        }
      }
      return {recordJson(certificateId, false), false};
    }
    // Lost a race with a concurrent revocation of the same certificate.
  }
  // Idempotent repeat: retry any issuer notification that failed before.
  auto records = store_.revocations(certificateId);
  notifyIssuers(records);
  return {recordJson(certificateId, true), true};
}

void RevocationService::notifyIssuers(std::vector<RevocationRecord>& records) {
  for (auto& r : records) {
    if (r.issuerNotified) continue;
    try {
      issuers_.revoke(r.issuerId, r.serialNumber, r.reason);
      store_.markIssuerNotified(r.id);
      r.issuerNotified = true;
    } catch (const std::exception& e) {
      // Best-effort: the revocation stands; the CRL and OCSP carry it anyway.
      spdlog::warn("{}", json{{"msg", "issuer not notified of revocation"},
                              {"issuer_id", r.issuerId},
                              {"serial_number", r.serialNumber},
                              {"certificate_id", r.certificateId},
                              {"error", e.what()}}
                             .dump(-1, ' ', false, json::error_handler_t::replace));
    }
  }
}

json RevocationService::recordJson(const std::string& certificateId, bool alreadyRevoked) {
  auto certificate = store_.certificate(certificateId);
  if (!certificate) throw domain::notFound("certificate not found: " + certificateId);
  json revocations = json::array();
  for (const auto& r : store_.revocations(certificateId)) revocations.push_back(revocationJson(r));
  return {
      {"certificate_id", certificateId},      {"status", certificate->status},
      {"revoked_at", certificate->revokedAt}, {"revocation_reason", certificate->revocationReason},
      {"already_revoked", alreadyRevoked},    {"revocations", std::move(revocations)}};
}

json RevocationService::bulkRevoke(const json& body, const RevocationActor& actor) {
  if (!body.is_object()) throw domain::badRequest("body", "request body must be a JSON object");
  static const std::set<std::string> kFields = {"reason",    "profile_id",     "owner_id",
                                                "team_id",   "agent_id",       "agent_group_id",
                                                "issuer_id", "certificate_ids"};
  for (const auto& [key, value] : body.items())
    if (!kFields.count(key)) throw domain::badRequest(key, "unknown field " + key);
  if (!body.contains("reason") || body["reason"].is_null())
    throw domain::badRequest("reason", std::string("reason is required: one of ") + kReasonList);
  const std::string reason = canonicalReason(body["reason"]);

  BulkRevokeCriteria criteria;
  criteria.profileId = optionalId(body, "profile_id");
  criteria.ownerId = optionalId(body, "owner_id");
  criteria.teamId = optionalId(body, "team_id");
  criteria.agentId = optionalId(body, "agent_id");
  criteria.issuerId = optionalId(body, "issuer_id");
  const std::string groupId = optionalId(body, "agent_group_id");
  if (body.contains("certificate_ids") && !body["certificate_ids"].is_null()) {
    const auto& ids = body["certificate_ids"];
    if (!ids.is_array() || ids.empty() || ids.size() > kMaxBulkIds)
      throw domain::badRequest("certificate_ids",
                               "certificate_ids must be a non-empty array of at "
                               "most " +
                                   std::to_string(kMaxBulkIds) + " ids");
    for (const auto& id : ids) {
      if (!id.is_string() || !isValidId(id.get<std::string>()))
        throw domain::badRequest("certificate_ids", "certificate_ids must hold certificate ids");
      criteria.certificateIds.push_back(id.get<std::string>());
    }
  }
  if (criteria.profileId.empty() && criteria.ownerId.empty() && criteria.teamId.empty() &&
      criteria.agentId.empty() && criteria.issuerId.empty() && groupId.empty() &&
      criteria.certificateIds.empty())
    throw domain::badRequest("body",
                             "at least one of profile_id, owner_id, team_id, agent_id, "
                             "agent_group_id, issuer_id or certificate_ids is required");
  if (!groupId.empty()) {
    if (!agentGroups_) throw domain::badRequest("agent_group_id", "agent groups are not available");
    std::vector<std::string> agents;
    for (const auto& member : agentGroups_->members(groupId))
      agents.push_back(member.value("id", std::string()));
    criteria.agentIds = std::move(agents);
  }

  const auto ids = store_.matchCertificates(criteria);
  json results = json::array();
  int revoked = 0, skipped = 0, failed = 0;
  for (const auto& id : ids) {
    json item = {{"certificate_id", id}};
    try {
      auto outcome = revokeOne(id, reason, actor);
      if (outcome.alreadyRevoked) {
        item["status"] = "skipped";
        item["error"] = "already revoked";
        ++skipped;
      } else {
        item["status"] = "revoked";
        ++revoked;
      }
    } catch (const domain::ApiError& e) {
      const bool skip = e.kind() == domain::ErrorKind::Conflict;
      item["status"] = skip ? "skipped" : "failed";
      item["error"] = e.what();
      ++(skip ? skipped : failed);
    } catch (const std::exception& e) {
      spdlog::error("bulk revocation of {} failed: {}", id, e.what());
      item["status"] = "failed";
      item["error"] = e.what();
      ++failed;
    }
    results.push_back(std::move(item));
  }

  AuditEvent event;
  event.actor = actor.actor;
  event.actorType = actor.actor == "anonymous" ? "anonymous" : "api_key";
  event.action = "certificate.bulk_revoked";
  event.resourceType = "certificates";
  event.requestId = actor.requestId;
  event.statusCode = 200;
  json filters = body;
  filters.erase("reason");
  event.details = {{"reason", reason},   {"criteria", filters}, {"matched", ids.size()},
                   {"revoked", revoked}, {"skipped", skipped},  {"failed", failed}};
  try {
    audit_.record(std::move(event), true);
  } catch (const std::exception& e) {
    spdlog::error("audit of bulk revocation failed: {}", e.what());
  }
  return {{"matched", ids.size()},
          {"revoked", revoked},
          {"skipped", skipped},
          {"failed", failed},
          {"results", std::move(results)}};
}

}  // namespace certctl::services
