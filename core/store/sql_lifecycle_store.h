#pragma once

#include <functional>
#include <memory>

#include "core/services/lifecycle_store.h"
#include "core/store/database.h"
#include "core/store/group_commit.h"
#include "core/store/sql_resource_repository.h"

namespace certctl::store {

class LifecycleTransaction;  // statements on the group committer's connection (the .cpp)

// LifecycleStore over SQLite or PostgreSQL. Every write goes through the
// group committer (one transaction per unit, shared with concurrent
// requests' units); reads go through the generic repository so records
// look exactly like the REST API's.
class SqlLifecycleStore : public services::LifecycleStore {
 public:
  // `writer`: the server's shared committer; none: one of its own.
  explicit SqlLifecycleStore(Database& db, GroupCommit* writer = nullptr);
  ~SqlLifecycleStore() override;

  void createJob(const nlohmann::json& job, const std::string& certificateStatus) override;
  void createCertificateWithJob(const nlohmann::json& certificate,
                                const nlohmann::json& job) override;
  void createIssuedCertificate(const nlohmann::json& certificate, const nlohmann::json& job,
                               const nlohmann::json& version,
                               std::vector<services::AuditEvent> events) override;
  bool transitionJob(const std::string& jobId, const std::vector<std::string>& fromStatuses,
                     const nlohmann::json& changes) override;
  std::optional<nlohmann::json> job(const std::string& jobId) override;
  std::optional<nlohmann::json> inFlightJob(const std::string& certificateId) override;
  std::vector<nlohmann::json> awaitingCsrJobs(const std::string& agentId, const std::string& jobId,
                                              const std::string& certificateId) override;
  void completeIssuance(const nlohmann::json& version, const std::string& jobId,
                        const nlohmann::json& jobChanges, const nlohmann::json& certificateChanges,
                        std::vector<services::AuditEvent> events) override;
  void failJob(const std::string& jobId, const std::string& error, const std::string& certificateId,
               const std::string& certificateStatus) override;
  void recordViolations(const std::vector<nlohmann::json>& violations) override;
  std::vector<nlohmann::json> enabledPolicyRules() override;
  std::optional<nlohmann::json> latestVersion(const std::string& certificateId) override;

 private:
  // The records of `spec` matching `where` (one query: the rows, not ids
  // and then each row); a driver error as a plain database error.
  std::vector<nlohmann::json> selectRecords(const domain::ResourceSpec& spec,
                                            const std::string& where,
                                            const std::vector<std::string>& params);

  // Runs `work` in the committer's next transaction, with the audit
  // `events` of it; returns once committed.
  void write(const std::function<void(LifecycleTransaction&)>& work,
             std::vector<services::AuditEvent> events = {});

  Database& db_;
  SqlResourceRepository records_;
  std::unique_ptr<GroupCommit> ownWriter_;
  GroupCommit& writer_;
};

}  // namespace certctl::store
