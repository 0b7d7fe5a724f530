#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/services/audit_log.h"
#include "core/services/issuance.h"
#include "core/services/lifecycle_store.h"
#include "core/services/resource_service.h"

namespace certctl::services {

// A heartbeat waiting to be written: when the agent was last seen and the
// metadata it reported (only non-null fields overwrite the stored ones).
struct AgentHeartbeat {
  std::string agentId;
  std::string seenAt;                                  // RFC 3339
  nlohmann::json metadata = nlohmann::json::object();  // os, architecture, hostname, ...
};

// What the agent API needs from storage beyond the generic repository:
// batched heartbeat writes, an agent's open jobs, certificate-target
// mappings and job updates that touch the verification columns.
class AgentStore {
 public:
  virtual ~AgentStore() = default;

  // Writes the heartbeats in one transaction: last_heartbeat_at, status
  // Online, and the reported metadata. Unknown agents are skipped.
  virtual void recordHeartbeats(const std::vector<AgentHeartbeat>& heartbeats) = 0;

  // The agent's open jobs, oldest first: issuance/renewal jobs in
  // AwaitingCSR and deployment jobs in Pending or Running (at most `limit`).
  virtual std::vector<nlohmann::json> openJobs(const std::string& agentId, int limit) = 0;

  // Target ids mapped to the certificate, oldest mapping first.
  virtual std::vector<std::string> mappedTargetIds(const std::string& certificateId) = 0;
  // False when the mapping already existed.
  virtual bool addMapping(const std::string& certificateId, const std::string& targetId) = 0;
  // False when there was no such mapping.
  virtual bool removeMapping(const std::string& certificateId, const std::string& targetId) = 0;

  // The Pending deployment job of this certificate to this target, if any.
  virtual std::optional<std::string> pendingDeployment(const std::string& certificateId,
                                                       const std::string& targetId) = 0;
  virtual void insertJob(const nlohmann::json& job) = 0;
  // Applies `changes` (job columns including claimed_by, claimed_at,
  // verification_fingerprint, verification_error) when the job is in one of
  // `fromStatuses` (empty: any); false when it is not.
  virtual bool updateJob(const std::string& jobId, const std::vector<std::string>& fromStatuses,
                         const nlohmann::json& changes) = 0;
  // {verification_status, verified_at, verification_fingerprint, verification_error}.
  virtual nlohmann::json verification(const std::string& jobId) = 0;
};

// 410 for a retired agent (the HTTP layer has no ErrorKind for it).
class AgentGone : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct AgentServiceSettings {
  // Heartbeats are kept in memory and written in batches this often.
  std::chrono::milliseconds heartbeatFlushInterval{std::chrono::seconds(5)};
  // How long an agent found in the database is trusted without reading it again.
  std::chrono::seconds knownAgentTtl{300};
};

// The agent side of the API (seed 001 "Agents"): heartbeats, the work an
// agent polls for, certificate pickup, job status reports with the
// post-deployment verification, and deployment jobs: created for every
// mapped target after an issuance completes, or on demand
// (POST /certificates/{id}/deploy).
//
// A heartbeat costs no synchronous database write: the last one of each
// agent is kept in memory and flushed every heartbeatFlushInterval, so
// GET /agents shows last_heartbeat_at at most that much behind.
class AgentService {
 public:
  AgentService(ResourceService& resources, LifecycleStore& lifecycle, AgentStore& store,
               AuditLog& audit, AgentServiceSettings settings = {});
  ~AgentService();
  AgentService(const AgentService&) = delete;
  AgentService& operator=(const AgentService&) = delete;

  // Listens for completed issuances (deployment jobs) and agent changes
  // (cache invalidation).
  void attach(IssuanceService& issuance);
  // Starts / stops the heartbeat flusher; stop() writes what is pending.
  void start();
  void stop();
  // Writes the pending heartbeats now.
  void flush();
  // Drops what is cached about the agent (e.g. after it was retired), so its
  // next request reads the database.
  void forgetAgent(const std::string& agentId);

  // POST /agents/{id}/heartbeat. 404 unknown agent, AgentGone retired, 400 bad metadata.
  nlohmann::json heartbeat(const std::string& agentId, const nlohmann::json& body);
  // GET /agents/{id}/work: {"jobs": [work items], "count"}.
  nlohmann::json work(const std::string& agentId);
  // GET /agents/{id}/certificates/{cert_id}: the latest version's cert + chain.
  nlohmann::json pickup(const std::string& agentId, const std::string& certificateId);
  // POST /agents/{id}/jobs/{job_id}/status.
  nlohmann::json reportStatus(const std::string& agentId, const std::string& jobId,
                              const nlohmann::json& body);

  // POST /certificates/{id}/deploy: {"target_id"} optional. Returns the jobs.
  nlohmann::json triggerDeployment(const std::string& certificateId, const nlohmann::json& body,
                                   const std::string& actor);
  // GET/POST/DELETE /certificates/{id}/targets.
  nlohmann::json listTargets(const std::string& certificateId);
  nlohmann::json mapTarget(const std::string& certificateId, const nlohmann::json& body,
                           bool& created);
  void unmapTarget(const std::string& certificateId, const std::string& targetId);

  // POST /jobs/{id}/verify (VerifyDeploymentRequest) and GET /jobs/{id}/verification.
  nlohmann::json verifyJob(const std::string& jobId, const nlohmann::json& body,
                           const std::string& actor);
  nlohmann::json jobVerification(const std::string& jobId);

  // Called after an issuance or renewal committed a version: one Deployment
  // job per mapped target served by the agent that holds the key.
  void onIssued(const nlohmann::json& job, const nlohmann::json& version);

 private:
  struct KnownAgent {
    bool retired = false;
    std::chrono::steady_clock::time_point checkedAt;
  };
  // 404 / AgentGone unless the agent exists and is not retired.
  void requireActiveAgent(const std::string& agentId);
  void flushLoop();

  // Deployment jobs of `certificate` for `targets`; returns the new (or
  // still pending) jobs. `keyAgent` holds the private key.
  std::vector<nlohmann::json> createDeployments(const nlohmann::json& certificate,
                                                const std::vector<nlohmann::json>& targets,
                                                const std::string& reason);
  nlohmann::json workItem(const nlohmann::json& job);
  nlohmann::json applyVerification(const nlohmann::json& job, const nlohmann::json& verification,
                                   nlohmann::json& changes);
  void auditDeployment(const std::string& action, const nlohmann::json& job,
                       const std::string& actor, const std::string& actorType,
                       nlohmann::json details);

  ResourceService& resources_;
  LifecycleStore& lifecycle_;
  AgentStore& store_;
  AuditLog& audit_;
  AgentServiceSettings settings_;

  std::mutex mutex_;  // guards the members below
  std::map<std::string, KnownAgent> known_;
  std::map<std::string, AgentHeartbeat> pending_;
  bool stopping_ = false;
  std::condition_variable wake_;
  std::thread flusher_;
  std::mutex flushMutex_;  // one flush at a time
};

}  // namespace certctl::services
