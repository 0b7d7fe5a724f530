#pragma once

#include "core/services/agent_service.h"
#include "core/store/database.h"
#include "core/store/group_commit.h"
#include "core/store/sql_resource_repository.h"

namespace certctl::store {

// AgentStore over SQLite or PostgreSQL. Heartbeats are written as a few
// multi-row UPDATEs in one transaction, so a flush of thousands of agents
// costs one commit. Writes go through the server's group committer when
// given one (on SQLite the only writer), else through their own transaction.
class SqlAgentStore : public services::AgentStore {
 public:
  explicit SqlAgentStore(Database& db, GroupCommit* writer = nullptr)
      : db_(db), records_(db), writer_(writer) {}

  void recordHeartbeats(const std::vector<services::AgentHeartbeat>& heartbeats) override;
  std::vector<nlohmann::json> openJobs(const std::string& agentId, int limit) override;
  std::vector<std::string> mappedTargetIds(const std::string& certificateId) override;
  bool addMapping(const std::string& certificateId, const std::string& targetId) override;
  bool removeMapping(const std::string& certificateId, const std::string& targetId) override;
  std::optional<std::string> pendingDeployment(const std::string& certificateId,
                                               const std::string& targetId) override;
  void insertJob(const nlohmann::json& job) override;
  bool updateJob(const std::string& jobId, const std::vector<std::string>& fromStatuses,
                 const nlohmann::json& changes) override;
  nlohmann::json verification(const std::string& jobId) override;

 private:
  std::vector<std::string> selectIds(const std::string& sql, std::vector<std::string> params);
  std::size_t execute(Database::Lease& lease, const std::string& sql,
                      std::vector<std::string>& params);
  // Runs `work` in one transaction (the committer's, or one of its own).
  void write(const std::function<void(Database::Lease&)>& work);

  Database& db_;
  SqlResourceRepository records_;
  GroupCommit* writer_;
};

}  // namespace certctl::store
