#pragma once

#include "core/services/agent_group_membership.h"
#include "core/store/database.h"

namespace certctl::store {

class SqlAgentGroupMembership : public services::AgentGroupMembershipRepository {
 public:
  explicit SqlAgentGroupMembership(Database& db) : db_(db) {}
  std::vector<std::pair<std::string, std::string>> entries(const std::string& groupId) override;
  void set(const std::string& groupId, const std::string& agentId,
           const std::string& membership) override;
  bool remove(const std::string& groupId, const std::string& agentId) override;

 private:
  Database& db_;
};

}  // namespace certctl::store
