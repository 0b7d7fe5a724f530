#pragma once

#include "core/services/agent_retirement_store.h"
#include "core/store/database.h"
#include "core/store/group_commit.h"

namespace certctl::store {

// AgentRetirementStore over SQLite or PostgreSQL: the count, the cascade
// and the stamp in one transaction (the agent row locked FOR UPDATE on
// PostgreSQL; SQLite's single writer serialises it).
class SqlAgentRetirementStore : public services::AgentRetirementStore {
 public:
  explicit SqlAgentRetirementStore(Database& db, GroupCommit* writer = nullptr)
      : db_(db), writer_(writer) {}

  services::RetirementOutcome retire(const std::string& agentId, const std::string& reason,
                                     const std::string& now, bool cascade) override;

 private:
  Database& db_;
  GroupCommit* writer_;
};

}  // namespace certctl::store
