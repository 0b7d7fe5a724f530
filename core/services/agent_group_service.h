#pragma once

#include <nlohmann/json.hpp>

#include "core/services/agent_group_membership.h"
#include "core/services/resource_service.h"

namespace certctl::services {

// Members of an agent group: agents matching its dynamic criteria, plus
// manual includes, minus manual excludes. Retired agents are never members.
class AgentGroupService {
 public:
  AgentGroupService(ResourceService& resources, AgentGroupMembershipRepository& memberships)
      : resources_(resources), memberships_(memberships) {}

  // Each member is the agent record plus "membership": "dynamic" | "manual".
  std::vector<nlohmann::json> members(const std::string& groupId);
  void setMembership(const std::string& groupId, const std::string& agentId,
                     const std::string& membership);
  void removeMembership(const std::string& groupId, const std::string& agentId);

  // Registers the CIDR and version-range checks on agent-group fields.
  static void registerValidators(ResourceService& resources);

 private:
  ResourceService& resources_;
  AgentGroupMembershipRepository& memberships_;
};

}  // namespace certctl::services
