#include "core/services/agent_retirement.h"

#include <array>

#include "core/domain/errors.h"
#include "core/domain/resources.h"
#include "core/domain/timestamps.h"
#include "core/services/audit_events.h"

namespace certctl::services {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxReason = 1024;

}  // namespace

bool AgentRetirement::isSentinel(const std::string& agentId) {
  // The network scanner's and the cloud secret-manager sources' own ids
  // (seed 002): their findings are filed under them.
  static const std::array<const char*, 4> kSentinels = {"server-scanner", "cloud-aws-sm",
                                                        "cloud-azure-kv", "cloud-gcp-sm"};
  for (const char* s : kSentinels)
    if (agentId == s) return true;
  return false;
}

json dependenciesJson(const AgentDependencies& d) {
  return {
      {"certificates", d.certificates}, {"targets", d.targets}, {"pending_jobs", d.pendingJobs}};
}

json AgentRetirement::retire(const std::string& agentId, bool force, const std::string& reason,
                             const std::string& actor) {
  if (isSentinel(agentId))
    throw domain::ApiError(domain::ErrorKind::Forbidden, "sentinel_agent",
                           "agent " + agentId +
                               " is a built-in sentinel of a discovery source and is never "
                               "retired");
  if (!isValidId(agentId)) throw domain::notFound("agent not found: " + agentId);
  if (reason.size() > kMaxReason)
    throw domain::badRequest("reason",
                             "reason is longer than " + std::to_string(kMaxReason) + " bytes");
  if (force && reason.empty())
    throw domain::badRequest("reason", "force=true needs a reason (?force=true&reason=...)");

  std::string now = domain::nowRfc3339();
  auto outcome = store_.retire(agentId, reason, now, force);
  using Result = RetirementOutcome::Result;
  switch (outcome.result) {
    case Result::NotFound:
      throw domain::notFound("agent not found: " + agentId);
    case Result::AlreadyRetired:
      throw domain::conflict("agent " + agentId + " is already retired");
    case Result::HasDependencies:
      throw AgentHasDependencies(
          "agent " + agentId +
              " still has active targets, certificates or pending jobs; reassign them, or "
              "retire with ?force=true&reason=...",
          outcome.dependencies);
    case Result::Retired:
      break;
  }
  if (onRetired_) onRetired_(agentId);
  json cascade = {{"forced", force},
                  {"jobs_cancelled", outcome.jobsCancelled},
                  {"targets_retired", outcome.targetsRetired}};
  recordOperatorEvent(audit_, actor, force ? "agent.force_retired" : "agent.retired", "agents",
                      agentId,
                      {{"reason", reason},
                       {"dependencies", dependenciesJson(outcome.dependencies)},
                       {"cascade", cascade}});
  auto agent = resources_.repository().get(*domain::findResource("agents"), agentId);
  return {{"agent", agent ? *agent : json(nullptr)},
          {"dependencies", dependenciesJson(outcome.dependencies)},
          {"cascade", cascade}};
}

}  // namespace certctl::services
