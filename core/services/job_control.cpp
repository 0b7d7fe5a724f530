#include "core/services/job_control.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/domain/errors.h"
#include "core/domain/json_fields.h"
#include "core/domain/resources.h"
#include "core/domain/timestamps.h"

namespace certctl::services {

using domain::JobAction;
using domain::stringField;
using nlohmann::json;

namespace {

constexpr size_t kMaxReason = 1024;

std::string parseReason(JobAction action, const json& body) {
  std::string reason;
  for (const auto& [key, value] : body.items()) {
    if (key != "reason") throw domain::badRequest(key, "unknown field: " + key);
    if (!value.is_string() || value.get<std::string>().size() > kMaxReason)
      throw domain::badRequest("reason", "reason must be a string of at most 1024 characters");
    reason = value.get<std::string>();
  }
  if (action == JobAction::Reject && reason.find_first_not_of(" \t\r\n") == std::string::npos)
    throw domain::badRequest("reason", "reason is required to reject a job");
  return reason;
}

std::string joined(const std::vector<std::string>& values) {
  std::string out;
  for (size_t i = 0; i < values.size(); ++i)
    out += (i == 0 ? "" : i + 1 == values.size() ? " or " : ", ") + values[i];
  return out;
}

std::string auditAction(JobAction action) {
  return action == JobAction::Approve  ? "job.approved"
         : action == JobAction::Reject ? "job.rejected"
                                       : "job.cancelled";
}

}  // namespace

JobControl::JobControl(ResourceService& resources, LifecycleStore& store, AuditLog& audit,
                       std::function<void(const std::string&)> enqueue)
    : resources_(resources), store_(store), audit_(audit), enqueue_(std::move(enqueue)) {}

json JobControl::apply(JobAction action, const std::string& jobId, const json& body,
                       const JobActor& actor) {
  std::string reason = parseReason(action, body);
  auto job = isValidId(jobId) ? store_.job(jobId) : std::nullopt;
  if (!job) throw domain::notFound("job not found: " + jobId);
  const auto& sources = domain::jobActionSources(action);
  std::string status = stringField(*job, "status");
  auto refuse = [&](const std::string& now) {
    return domain::conflict("job " + jobId + " is " + now + "; " + domain::jobActionName(action) +
                            " needs " + joined(sources));
  };
  if (std::find(sources.begin(), sources.end(), status) == sources.end()) throw refuse(status);

  std::string now = domain::nowRfc3339();
  json changes = {{"status", domain::jobActionTarget(action)}};
  if (action == JobAction::Approve) {
    changes["scheduled_at"] = now;
  } else {
    changes["completed_at"] = now;
    std::string verb = action == JobAction::Reject ? "rejected by " : "cancelled by ";
    changes["last_error"] = verb + actor.actor + (reason.empty() ? "" : ": " + reason);
  }
  // Only from the state just read: a job that moved on meanwhile is a 409.
  if (!store_.transitionJob(jobId, {status}, changes)) {
    auto current = store_.job(jobId);
    throw refuse(current ? stringField(*current, "status") : std::string("gone"));
  }
  spdlog::info("job {}: {} by {} ({} -> {})", jobId, domain::jobActionName(action), actor.actor,
               status, domain::jobActionTarget(action));
  if (action == JobAction::Approve) {
    std::string certificateId = stringField(*job, "certificate_id");
    if (!certificateId.empty())
      resources_.repository().update(domain::requireResource("certificates"), certificateId,
                                     {{"status", "RenewalInProgress"}, {"updated_at", now}});
    enqueue_(jobId);
  } else {
    restoreCertificate(*job);
  }
  audit(action, *job, reason, actor);
  return *store_.job(jobId);
}

void JobControl::restoreCertificate(const json& job) {
  std::string type = stringField(job, "type");
  std::string certificateId = stringField(job, "certificate_id");
  if ((type != "Issuance" && type != "Renewal") || certificateId.empty()) return;
  const auto& spec = domain::requireResource("certificates");
  auto certificate = resources_.repository().get(spec, certificateId);
  if (!certificate || stringField(*certificate, "status") != "RenewalInProgress") return;
  // The version in use is still valid (Active) or is not (Expired).
  auto expires = domain::parseRfc3339(stringField(*certificate, "expires_at"));
  bool valid = expires && *expires > domain::nowSeconds();
  resources_.repository().update(
      spec, certificateId,
      {{"status", valid ? "Active" : "Expired"}, {"updated_at", domain::nowRfc3339()}});
}

void JobControl::audit(JobAction action, const json& job, const std::string& reason,
                       const JobActor& actor) {
  AuditEvent event;
  event.actor = actor.actor;
  event.actorType = actor.actor == "anonymous" ? "anonymous" : "api_key";
  event.action = auditAction(action);
  event.resourceType = "jobs";
  event.resourceId = stringField(job, "id");
  event.requestId = actor.requestId;
  event.details = {{"reason", reason},
                   {"from_status", job["status"]},
                   {"to_status", domain::jobActionTarget(action)},
                   {"type", job["type"]},
                   {"certificate_id", job.value("certificate_id", json())}};
  try {
    audit_.record(std::move(event), true);
  } catch (const std::exception& e) {
    spdlog::error("audit of job {} {} failed: {}", stringField(job, "id"),
                  domain::jobActionName(action), e.what());
  }
}

}  // namespace certctl::services
