#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <stdexcept>
#include <string>

#include "core/services/agent_retirement_store.h"
#include "core/services/audit_log.h"
#include "core/services/resource_service.h"

namespace certctl::services {

// 409 with the counts: the agent still has dependencies and force was not set.
class AgentHasDependencies : public std::runtime_error {
 public:
  AgentHasDependencies(const std::string& message, AgentDependencies dependencies)
      : std::runtime_error(message), dependencies_(dependencies) {}
  const AgentDependencies& dependencies() const { return dependencies_; }

 private:
  AgentDependencies dependencies_;
};

// Soft-deleting agents (seed 000 "Retiring an agent"): DELETE /agents/{id}
// stamps retired_at and a reason; the row stays for the audit trail. An
// agent with active targets, deployed certificates or unfinished jobs is
// only retired with force, which cancels those jobs and retires its targets
// in the same transaction. The sentinel agents behind the network scanner
// and the cloud discovery sources are never retired.
class AgentRetirement {
 public:
  using RetiredListener = std::function<void(const std::string& agentId)>;

  AgentRetirement(ResourceService& resources, AgentRetirementStore& store, AuditLog& audit,
                  RetiredListener onRetired = {})
      : resources_(resources), store_(store), audit_(audit), onRetired_(std::move(onRetired)) {}

  // 403 sentinel, 404 unknown, 409 already retired, AgentHasDependencies,
  // 400 force without a reason. Returns {"agent", "dependencies", "cascade"}.
  nlohmann::json retire(const std::string& agentId, bool force, const std::string& reason,
                        const std::string& actor);

  static bool isSentinel(const std::string& agentId);

 private:
  ResourceService& resources_;
  AgentRetirementStore& store_;
  AuditLog& audit_;
  RetiredListener onRetired_;
};

nlohmann::json dependenciesJson(const AgentDependencies& d);

}  // namespace certctl::services
