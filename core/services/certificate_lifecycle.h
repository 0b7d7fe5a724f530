#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "core/services/issuance.h"
#include "core/services/job_runner.h"
#include "core/services/lifecycle_store.h"
#include "core/services/resource_service.h"

namespace certctl::services {

// Where lifecycle work starts: a created certificate gets an Issuance job,
// POST /certificates/{id}/renew a Renewal job, and both go to the in-process
// job runner, which hands them to the IssuanceService. Also keeps open jobs
// in step with their certificate (archived: cancelled; agent reassigned:
// the AwaitingCSR job follows) and registers agents (POST /agents).
class CertificateLifecycle {
 public:
  CertificateLifecycle(ResourceService& resources, LifecycleStore& store,
                       IssuanceService& issuance);
  ~CertificateLifecycle();
  CertificateLifecycle(const CertificateLifecycle&) = delete;
  CertificateLifecycle& operator=(const CertificateLifecycle&) = delete;

  // Change listeners on certificates; validators for profiles and policies.
  void attach();
  // Starts / stops the runner that picks up new jobs at once (the
  // scheduler's job processor finds anything it missed, e.g. after a restart).
  void start();
  void stop();

  // Queues a Pending job for the runner (e.g. just approved).
  void enqueue(const std::string& jobId) { runner_.submit(jobId); }

  // The renewal check's entry: a Renewal job for a certificate inside its
  // renewal window, AwaitingApproval when its policy does not renew on its
  // own. `expiresAt` is what the check saw: a certificate renewed since
  // (another expires_at) is left alone. Returns the job, or nullopt when the
  // certificate meanwhile got one (another replica) or cannot be renewed.
  std::optional<nlohmann::json> scheduleRenewal(const std::string& certificateId,
                                                const std::string& expiresAt, bool needsApproval,
                                                const std::string& reason);

  // POST /certificates/{id}/renew. `body` may carry {"reason"}. Returns the
  // new job. 404 unknown certificate; 409 revoked/archived or already in
  // flight.
  nlohmann::json renew(const std::string& certificateId, const nlohmann::json& body);

  // POST /agents: {name, hostname, os, architecture (or arch), ip_address,
  // version, capabilities[, id]}. `clientIp` fills ip_address when absent.
  nlohmann::json registerAgent(const nlohmann::json& body, const std::string& clientIp);

  // Tests and shutdown: until every queued job has been handled.
  void waitIdle() { runner_.waitIdle(); }

 private:
  nlohmann::json newJob(const std::string& type, const nlohmann::json& certificate,
                        const std::string& reason) const;
  // Stores a new job and starts it: queued for the runner (server keygen) or
  // waiting for the agent's CSR (agent keygen).
  void submit(nlohmann::json& job, const std::string& certificateStatus);
  void onCertificateChange(ResourceService::Change change, const std::string& id,
                           const nlohmann::json& record);

  ResourceService& resources_;
  LifecycleStore& store_;
  IssuanceService& issuance_;
  JobRunner runner_;
};

}  // namespace certctl::services
