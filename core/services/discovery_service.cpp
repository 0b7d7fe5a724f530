#include "core/services/discovery_service.h"

#include "core/domain/discovery_resources.h"
#include "core/domain/errors.h"
#include "core/domain/resources.h"
#include "core/domain/timestamps.h"
#include "core/services/agent_service.h"
#include "core/services/discovery_report.h"
#include "core/services/audit_events.h"

namespace certctl::services {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxReason = 1024;

json orNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }

// The certificate a Managed record is linked to (the link is cleared when
// that certificate is deleted).
std::string claimedBy(const json& record) {
  auto it = record.find("managed_certificate_id");
  return it != record.end() && it->is_string() ? it->get<std::string>()
                                               : std::string("a deleted certificate");
}

json findingRow(const DiscoveredCertificate& c, const std::string& agentId,
                const std::string& scanId, const std::string& now) {
  const auto& s = c.summary;
  return {{"id", generateId("dc-", "")},
          {"fingerprint_sha256", s.fingerprintSha256},
          {"common_name", s.commonName},
          {"sans", s.sans},
          {"serial_number", orNull(s.serialNumber)},
          {"issuer_dn", orNull(s.issuerDn)},
          {"subject_dn", orNull(s.subjectDn)},
          {"not_before", s.notBefore},
          {"not_after", s.notAfter},
          {"key_algorithm", orNull(s.keyAlgorithm)},
          {"key_size", s.keyBits > 0 ? json(s.keyBits) : json(nullptr)},
          {"is_ca", s.isCa},
          {"pem_data", c.pem},
          {"source_path", c.sourcePath},
          {"source_format", orNull(c.sourceFormat)},
          {"agent_id", agentId},
          {"discovery_scan_id", scanId},
          {"status", "Unmanaged"},
          {"first_seen_at", now},
          {"last_seen_at", now},
          {"created_at", now},
          {"updated_at", now}};
}

std::string optionalReason(const json& body) {
  auto it = body.find("reason");
  if (it == body.end() || it->is_null()) return {};
  if (!it->is_string()) throw domain::badRequest("reason", "reason must be a string");
  auto reason = it->get<std::string>();
  if (reason.size() > kMaxReason)
    throw domain::badRequest("reason",
                             "reason is longer than " + std::to_string(kMaxReason) + " bytes");
  return reason;
}

}  // namespace

void DiscoveryService::requireActiveAgent(const std::string& agentId) {
  const auto* spec = domain::findResource("agents");
  auto agent = isValidId(agentId) ? resources_.repository().get(*spec, agentId) : std::nullopt;
  if (!agent) throw domain::notFound("agent not found: " + agentId);
  if (agent->contains("retired_at") && !(*agent)["retired_at"].is_null())
    throw AgentGone("agent " + agentId + " is retired");
}

json DiscoveryService::get(const std::string& id) {
  const auto& spec = domain::discoveredCertificateSpec();
  auto record = isValidId(id) ? resources_.repository().get(spec, id) : std::nullopt;
  if (!record) throw domain::notFound("discovered certificate not found: " + id);
  return *record;
}

json DiscoveryService::submit(const std::string& agentId, const json& body,
                              const std::string& actor) {
  requireActiveAgent(agentId);
  DiscoveryReport report = parseDiscoveryReport(body);
  std::string now = domain::nowRfc3339();
  std::string scanId = generateId("ds-", "");
  json scan = {{"id", scanId},
               {"agent_id", agentId},
               {"source", report.source},
               {"directories", report.directories},
               {"certificates_found", static_cast<long long>(report.certificates.size())},
               {"certificates_new", 0},
               {"errors_count", report.errorsCount},
               {"scan_duration_ms", report.scanDurationMs},
               {"started_at", report.startedAt.empty() ? now : report.startedAt},
               {"completed_at", now},
               {"created_at", now}};
  std::vector<json> findings;
  findings.reserve(report.certificates.size());
  for (const auto& c : report.certificates) findings.push_back(findingRow(c, agentId, scanId, now));
  long long created = store_.recordScan(scan, findings);
  scan["certificates_new"] = created;
  recordOperatorEvent(audit_, actor, "discovery_scan_completed", "discovery-scans", scanId,
                      {{"agent_id", agentId},
                       {"source", report.source},
                       {"certificates_found", scan["certificates_found"]},
                       {"certificates_new", created},
                       {"errors_count", report.errorsCount}});
  return scan;
}

json DiscoveryService::claim(const std::string& id, const json& body, const std::string& actor) {
  json current = get(id);
  auto it = body.find("managed_certificate_id");
  if (it == body.end() || !it->is_string() || it->get<std::string>().empty())
    throw domain::badRequest("managed_certificate_id", "managed_certificate_id is required");
  std::string certificateId = it->get<std::string>();
  const auto* certificates = domain::findResource("certificates");
  if (!isValidId(certificateId) || !resources_.repository().exists(*certificates, certificateId))
    throw domain::badRequest("managed_certificate_id",
                             "managed_certificate_id: no certificate " + certificateId);
  if (current["status"] == "Managed") {
    if (current["managed_certificate_id"] == certificateId) return current;
    throw domain::conflict("discovered certificate " + id + " is already claimed by " +
                           claimedBy(current));
  }
  std::string now = domain::nowRfc3339();
  if (!store_.transition(
          id, {"Unmanaged", "Dismissed"},
          {{"status", "Managed"}, {"managed_certificate_id", certificateId}, {"updated_at", now}}))
    throw domain::conflict("discovered certificate " + id + " changed meanwhile; try again");
  recordOperatorEvent(audit_, actor, "discovery_cert_claimed", "discovered-certificates", id,
                      {{"managed_certificate_id", certificateId},
                       {"previous_status", current["status"]},
                       {"fingerprint_sha256", current["fingerprint_sha256"]},
                       {"agent_id", current["agent_id"]},
                       {"source_path", current["source_path"]}});
  return get(id);
}

json DiscoveryService::dismiss(const std::string& id, const json& body, const std::string& actor) {
  json current = get(id);
  std::string reason = optionalReason(body);
  if (current["status"] == "Dismissed") return current;
  if (current["status"] == "Managed")
    throw domain::conflict("discovered certificate " + id + " is claimed by " + claimedBy(current) +
                           "; it cannot be dismissed");
  std::string now = domain::nowRfc3339();
  if (!store_.transition(id, {"Unmanaged"},
                         {{"status", "Dismissed"},
                          {"dismissed_at", now},
                          {"dismissed_reason", orNull(reason)},
                          {"updated_at", now}}))
    throw domain::conflict("discovered certificate " + id + " changed meanwhile; try again");
  recordOperatorEvent(audit_, actor, "discovery_cert_dismissed", "discovered-certificates", id,
                      {{"reason", reason},
                       {"fingerprint_sha256", current["fingerprint_sha256"]},
                       {"agent_id", current["agent_id"]},
                       {"source_path", current["source_path"]}});
  return get(id);
}

json DiscoveryService::summary() {
  auto counts = store_.countByStatus();
  json out = json::object();
  long long total = 0;
  for (const auto& status : domain::discoveryStatuses()) {
    long long n = counts.count(status) ? counts[status] : 0;
    out[status] = n;
    total += n;
  }
  out["total"] = total;
  return out;
}

}  // namespace certctl::services
