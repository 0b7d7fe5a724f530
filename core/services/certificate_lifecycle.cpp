#include "core/services/certificate_lifecycle.h"

#include <spdlog/spdlog.h>

#include "core/domain/errors.h"
#include "core/domain/json_fields.h"
#include "core/domain/resources.h"
#include "core/domain/timestamps.h"
#include "core/services/policy_evaluation.h"
#include "core/services/profile_enforcement.h"

namespace certctl::services {

using nlohmann::json;

using domain::stringField;

namespace {

const domain::ResourceSpec& spec(const char* name) { return domain::requireResource(name); }

const std::vector<std::string> kInFlight = {"Pending", "AwaitingCSR", "AwaitingApproval",
                                            "Running"};

// The agent-reported fields of POST /agents and their length limits
// (the agents table: core/domain/resources.cpp).
struct ReportedField {
  const char* name;
  const char* alias;
  size_t maxLength;
};
const ReportedField kReported[] = {
    {"os", "", 64}, {"architecture", "arch", 64}, {"ip_address", "", 64}, {"version", "", 64}};

}  // namespace

CertificateLifecycle::CertificateLifecycle(ResourceService& resources, LifecycleStore& store,
                                           IssuanceService& issuance)
    : resources_(resources),
      store_(store),
      issuance_(issuance),
      runner_([this](const std::string& jobId) { issuance_.runJob(jobId); }) {}

CertificateLifecycle::~CertificateLifecycle() { stop(); }

void CertificateLifecycle::attach() {
  issuance_.attach();
  resources_.addChangeListener(
      "certificates", [this](ResourceService::Change change, const std::string& id,
                             const json& record) { onCertificateChange(change, id, record); });
  resources_.addValidator("profiles",
                          [](const json& values, const json*) { validateProfileFields(values); });
  resources_.addValidator("policies", [](const json& values, const json* current) {
    validatePolicyFields(values, current);
  });
}

void CertificateLifecycle::start() { runner_.start(); }

void CertificateLifecycle::stop() { runner_.stop(); }

json CertificateLifecycle::newJob(const std::string& type, const json& certificate,
                                  const std::string& reason) const {
  std::string now = domain::nowRfc3339();
  json agent = certificate.contains("agent_id") ? certificate["agent_id"] : json();
  return {{"id", generateTimeOrderedId("j-")},
          {"type", type},
          {"certificate_id", certificate["id"]},
          {"agent_id", agent},
          {"status", "Pending"},
          {"attempts", 0},
          {"max_attempts", issuance_.settings().maxAttempts},
          {"reason", reason},
          {"scheduled_at", now},
          {"created_at", now},
          {"updated_at", now}};
}

void CertificateLifecycle::submit(nlohmann::json& job, const std::string& certificateStatus) {
  // With agent keygen there is nothing for the server to do until the CSR
  // arrives, so the job starts out waiting for it instead of passing
  // through the runner (which still moves resumed Pending jobs there).
  if (issuance_.settings().keygenMode != "server") {
    job["status"] = "AwaitingCSR";
    store_.createJob(job, certificateStatus);
    return;
  }
  store_.createJob(job, certificateStatus);
  runner_.submit(job["id"].get<std::string>());
}

void CertificateLifecycle::onCertificateChange(ResourceService::Change change,
                                               const std::string& id, const json& record) {
  if (change == ResourceService::Change::Created) {
    json job = newJob("Issuance", record, "new certificate");
    submit(job, "");
    return;
  }
  if (change != ResourceService::Change::Updated) return;
  auto open = store_.inFlightJob(id);
  if (!open) return;
  std::string jobId = stringField(*open, "id");
  std::string status = stringField(record, "status");
  if (status == "Archived" || status == "Revoked") {
    std::string now = domain::nowRfc3339();
    if (store_.transitionJob(jobId, kInFlight,
                             {{"status", "Cancelled"},
                              {"completed_at", now},
                              {"last_error", "certificate " + id + " is " + status}}))
      spdlog::info("job {} cancelled: certificate {} is {}", jobId, id, status);
    return;
  }
  // A reassigned agent takes over the wait for a CSR.
  json agent = record.contains("agent_id") ? record["agent_id"] : json();
  if ((*open)["agent_id"] != agent)
    store_.transitionJob(jobId, {"Pending", "AwaitingCSR"}, {{"agent_id", agent}});
}

json CertificateLifecycle::renew(const std::string& certificateId, const json& body) {
  std::string reason = "renewal requested";
  for (const auto& [key, value] : body.items()) {
    if (key != "reason") throw domain::badRequest(key, "unknown field: " + key);
    if (!value.is_string() || value.get<std::string>().size() > 1024)
      throw domain::badRequest("reason", "reason must be a string of at most 1024 characters");
    if (!value.get<std::string>().empty()) reason = value.get<std::string>();
  }
  json certificate = resources_.get(spec("certificates"), certificateId);
  std::string status = stringField(certificate, "status");
  if (status == "Revoked" || status == "Archived")
    throw domain::conflict("certificate " + certificateId + " is " + status +
                           " and cannot be renewed");
  if (auto open = store_.inFlightJob(certificateId))
    throw domain::conflict("certificate " + certificateId + " already has " +
                           stringField(*open, "type") + " job " + stringField(*open, "id") +
                           " in status " + stringField(*open, "status"));
  // Seed 000's state machine: a certificate that was issued renews
  // (RenewalInProgress); a failed one retries from Pending.
  std::string next = status == "Pending" || status == "Failed" ? "Pending" : "RenewalInProgress";
  json job = newJob("Renewal", certificate, reason);
  submit(job, next == status ? "" : next);
  return *store_.job(job["id"].get<std::string>());
}

std::optional<json> CertificateLifecycle::scheduleRenewal(const std::string& certificateId,
                                                          const std::string& expiresAt,
                                                          bool needsApproval,
                                                          const std::string& reason) {
  auto certificate = resources_.repository().get(spec("certificates"), certificateId);
  if (!certificate || stringField(*certificate, "expires_at") != expiresAt) return std::nullopt;
  std::string status = stringField(*certificate, "status");
  if (status != "Active" && status != "Expiring") return std::nullopt;
  json job = newJob("Renewal", *certificate, reason);
  try {
    if (needsApproval) {
      // Nothing runs until a person approves (POST /jobs/{id}/approve).
      job["status"] = "AwaitingApproval";
      store_.createJob(job, status == "Expiring" ? "" : "Expiring");
    } else {
      submit(job, "RenewalInProgress");
    }
  } catch (const domain::ApiError& e) {
    if (e.kind() != domain::ErrorKind::Conflict) throw;
    return std::nullopt;  // another replica's renewal check was first
  }
  return job;
}

json CertificateLifecycle::registerAgent(const json& body, const std::string& clientIp) {
  json base = json::object();
  json reported = json::object();
  for (const auto& [key, value] : body.items()) {
    if (key == "id" || key == "name" || key == "hostname") {
      base[key] = value;
      continue;
    }
    if (key == "capabilities") {
      if (!value.is_object() && !value.is_array() && !value.is_null())
        throw domain::badRequest(key, "capabilities must be a JSON object or array");
      if (value.dump().size() > 16384)
        throw domain::badRequest(key, "capabilities is larger than 16 KiB");
      reported[key] = value;
      continue;
    }
    const ReportedField* field = nullptr;
    for (const auto& f : kReported)
      if (key == f.name || (*f.alias && key == f.alias)) field = &f;
    if (!field) throw domain::badRequest(key, "unknown field: " + key);
    if (!value.is_string() && !value.is_null())
      throw domain::badRequest(key, key + " must be a string");
    if (value.is_string() && value.get<std::string>().size() > field->maxLength)
      throw domain::badRequest(
          key, key + " is longer than " + std::to_string(field->maxLength) + " characters");
    reported[field->name] = value;
  }
  if (!base.contains("name") && base.contains("hostname")) base["name"] = base["hostname"];
  if (!reported.contains("ip_address") && !clientIp.empty()) reported["ip_address"] = clientIp;

  // The service validates name/hostname/id and writes the row; the fields
  // only an agent reports are read-only on the generic API and set here.
  json created = resources_.create(spec("agents"), base);
  std::string id = created["id"].get<std::string>();
  std::string now = domain::nowRfc3339();
  reported["registered_at"] = now;
  reported["last_heartbeat_at"] = now;
  reported["updated_at"] = now;
  resources_.repository().update(spec("agents"), id, reported);
  return resources_.get(spec("agents"), id);
}

}  // namespace certctl::services
