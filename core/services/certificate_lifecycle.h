#pragma once

#include <nlohmann/json.hpp>

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
  // Resumes what the last run left (Running jobs of this server go back to
  // Pending; every Pending job is queued) and starts the runner.
  void start();
  void stop();

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
