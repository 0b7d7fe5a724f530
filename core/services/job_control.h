#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

#include "core/domain/job_states.h"
#include "core/services/audit_log.h"
#include "core/services/lifecycle_store.h"
#include "core/services/resource_service.h"

namespace certctl::services {

// Who asked, for the audit trail.
struct JobActor {
  std::string actor;  // the API key's name, or "anonymous"
  std::string requestId;
};

// What a person may do to a job (seed 001): POST /jobs/{id}/cancel (any
// open job), /approve (AwaitingApproval → Pending, queued at once) and
// /reject (AwaitingApproval → Cancelled, a reason is required). Each change
// is conditional on the state the job was read in, so a job that moved on
// meanwhile gets a 409 instead of a lost update; each is audited durably.
class JobControl {
 public:
  // `enqueue` hands an approved job to the runner.
  JobControl(ResourceService& resources, LifecycleStore& store, AuditLog& audit,
             std::function<void(const std::string&)> enqueue);

  // Body: {} or {"reason": "..."} (at most 1024 characters). Returns the job
  // as stored afterwards. 400 bad body (reject without a reason), 404
  // unknown job, 409 the job's state does not allow the action.
  nlohmann::json apply(domain::JobAction action, const std::string& jobId,
                       const nlohmann::json& body, const JobActor& actor);

 private:
  // A cancelled issuance/renewal leaves its certificate as it was before.
  void restoreCertificate(const nlohmann::json& job);
  void audit(domain::JobAction action, const nlohmann::json& job, const std::string& reason,
             const JobActor& actor);

  ResourceService& resources_;
  LifecycleStore& store_;
  AuditLog& audit_;
  std::function<void(const std::string&)> enqueue_;
};

}  // namespace certctl::services
