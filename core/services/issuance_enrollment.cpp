#include <spdlog/spdlog.h>

#include "core/domain/errors.h"
#include "core/domain/history_resources.h"
#include "core/domain/json_fields.h"
#include "core/domain/list_query.h"
#include "core/domain/resources.h"
#include "core/domain/timestamps.h"
#include "core/services/issuance.h"
#include "sdk/pki/csr.h"

namespace certctl::services {

using domain::stringField;
using nlohmann::json;

namespace {

constexpr std::size_t kMaxNameLength = 253;

// The inventory names of an enrolled certificate come from the CSR: the
// subject CN (else the first DNS name) and every DNS name and IP address.
json csrNames(const sdk::pki::Csr& csr) {
  auto altNames = csr.subjectAltNames();
  json sans = json::array();
  for (const auto* list : {&altNames.dnsNames(), &altNames.ipAddresses()})
    for (const auto& name : *list) sans.push_back(name);
  std::string cn = csr.subjectCommonName();
  if (cn.empty() && !altNames.dnsNames().empty()) cn = altNames.dnsNames().front();
  if (cn.empty())
    throw domain::badRequest("csr", "the CSR names nothing: it has no subject CN and no DNS name");
  if (cn.size() > kMaxNameLength)
    throw domain::badRequest("csr", "the CSR's common name is longer than 253 characters");
  return {{"common_name", cn}, {"sans", sans}};
}

}  // namespace

// The job an enrollment protocol's request is: already running, no agent.
json IssuanceService::protocolJob(const std::string& type, const std::string& certificateId,
                                  const std::string& reason, const std::string& now) const {
  return {{"id", generateTimeOrderedId("j-")},
          {"type", type},
          {"certificate_id", certificateId},
          {"agent_id", nullptr},
          {"status", "Running"},
          {"attempts", 0},
          {"max_attempts", settings_.maxAttempts},
          {"reason", reason},
          {"scheduled_at", now},
          {"created_at", now},
          {"updated_at", now}};
}

IssuanceService::Enrollment IssuanceService::enrollCsr(const std::string& issuerId,
                                                       const sdk::pki::Csr& csr,
                                                       const std::string& source,
                                                       const std::string& profileId) {
  if (!csr.verifySignature())
    throw domain::badRequest("csr", "the CSR's signature does not verify (proof of possession)");
  json names = csrNames(csr);
  issuers_.get(issuerId);  // 404 unknown, 400 disabled: before anything is written
  if (!profileId.empty() &&
      !resources_.repository().get(domain::requireResource("profiles"), profileId))
    throw domain::notFound("certificate profile " + profileId + " does not exist");

  // Stored directly rather than through ResourceService::create, whose
  // listeners would start an agent Issuance job for it: this request is
  // that job, and its CSR is already here.
  std::string now = domain::nowRfc3339();
  // Time-ordered ids: the new rows' index entries land on the same few
  // b-tree pages instead of one random page each.
  json certificate = {{"id", generateTimeOrderedId("mc-")},
                      {"name", names["common_name"]},
                      {"common_name", names["common_name"]},
                      {"sans", names["sans"]},
                      {"issuer_id", issuerId},
                      {"certificate_profile_id", profileId.empty() ? json() : json(profileId)},
                      {"status", "Pending"},
                      {"tags", json::object()},
                      {"source", source},
                      {"created_at", now},
                      {"updated_at", now}};
  std::string certificateId = certificate["id"].get<std::string>();
  json job = protocolJob("Issuance", certificateId, source + " enrollment", now);
  // Nothing is written before the CA answered: the certificate, its job
  // and its version then go in together (one transaction instead of two).
  Stored stored = Stored::NotYet;
  try {
    Issued issued = issue(job, certificate, csr, nullptr, stored);
    return {certificateId, issued.certPem, issued.chainPem, std::move(*issued.leaf)};
  } catch (const std::exception& e) {
    spdlog::warn("{} enrollment of {} failed: {}", source, certificateId, e.what());
    std::string jobId = job["id"].get<std::string>();
    try {
      if (stored == Stored::Yes) {
        store_.failJob(jobId, e.what(), certificateId, "Failed");
      } else {
        // The refused enrollment stays visible in the inventory.
        std::string failedAt = domain::nowRfc3339();
        json failedJob = job;
        failedJob.update({{"status", "Failed"},
                          {"last_error", boundedJobError(e.what())},
                          {"completed_at", failedAt},
                          {"updated_at", failedAt}});
        certificate["status"] = "Failed";
        certificate["updated_at"] = failedAt;
        insertUniquelyNamed(certificate, [&](const json& named) {
          store_.createCertificateWithJob(named, failedJob);
        });
      }
    } catch (const std::exception& recordError) {
      spdlog::error("recording the failed enrollment {} failed: {}", certificateId,
                    recordError.what());
    }
    throw;
  }
}

void IssuanceService::insertUniquelyNamed(json certificate,
                                          const std::function<void(const json&)>& insert) {
  try {
    insert(certificate);
  } catch (const domain::ApiError& e) {
    if (e.kind() != domain::ErrorKind::Conflict) throw;
    certificate["name"] =
        stringField(certificate, "common_name") + " (" + stringField(certificate, "id") + ")";
    insert(certificate);
  }
}

IssuanceService::Enrollment IssuanceService::reenrollCsr(const std::string& currentSerialHex,
                                                         const std::string& issuerId,
                                                         const sdk::pki::Csr& csr,
                                                         const std::string& source,
                                                         const std::string& profileId) {
  std::optional<json> certificate = certificateWithSerial(currentSerialHex, issuerId);
  if (!certificate) return enrollCsr(issuerId, csr, source, profileId);
  if (!csr.verifySignature())
    throw domain::badRequest("csr", "the CSR's signature does not verify (proof of possession)");

  std::string certificateId = stringField(*certificate, "id");
  std::string now = domain::nowRfc3339();
  json job = protocolJob("Renewal", certificateId, source + " re-enrollment", now);
  store_.createJob(job, "");  // 409 when a job of this certificate is in flight
  std::string jobId = job["id"].get<std::string>();
  try {
    Issued issued = issue(job, *certificate, csr, nullptr);
    return {certificateId, issued.certPem, issued.chainPem, std::move(*issued.leaf)};
  } catch (const std::exception& e) {
    // The certificate keeps its current version: only the job failed.
    store_.failJob(jobId, e.what(), certificateId, "");
    spdlog::warn("{} re-enrollment of {} failed: {}", source, certificateId, e.what());
    throw;
  }
}

std::optional<json> IssuanceService::certificateWithSerial(const std::string& serialHex,
                                                           const std::string& issuerId) {
  domain::ListQuery query;
  query.equals = {{"serial_number", serialHex}, {"issuer_id", issuerId}};
  query.perPage = 1;
  auto versions = resources_.repository().list(domain::certificateVersionSpec(), query);
  if (versions.items.empty()) return std::nullopt;
  auto certificate =
      resources_.repository().get(domain::requireResource("certificates"),
                                  stringField(versions.items.front(), "certificate_id"));
  if (!certificate) return std::nullopt;
  std::string status = stringField(*certificate, "status");
  if (status == "Revoked" || status == "Archived") return std::nullopt;
  return certificate;
}

}  // namespace certctl::services
