#pragma once

#include <string>
#include <utility>
#include <vector>

namespace certctl::services {

// Manual include/exclude entries of agent groups (agent_group_members).
class AgentGroupMembershipRepository {
 public:
  virtual ~AgentGroupMembershipRepository() = default;
  // (agent_id, "include"|"exclude") of one group
  virtual std::vector<std::pair<std::string, std::string>> entries(const std::string& groupId) = 0;
  virtual void set(const std::string& groupId, const std::string& agentId,
                   const std::string& membership) = 0;
  // Returns false when there was no entry.
  virtual bool remove(const std::string& groupId, const std::string& agentId) = 0;
};

}  // namespace certctl::services
