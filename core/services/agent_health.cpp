#include "core/services/agent_health.h"

#include <spdlog/spdlog.h>

#include "core/domain/timestamps.h"
#include "core/services/audit_events.h"

namespace certctl::services {

AgentHealth::AgentHealth(JobStore& jobs, AuditLog& audit, std::function<void()> flushHeartbeats,
                         std::chrono::seconds heartbeatInterval, int missedBeats)
    : jobs_(jobs),
      audit_(audit),
      flushHeartbeats_(std::move(flushHeartbeats)),
      silence_(heartbeatInterval * missedBeats) {}

int AgentHealth::run() {
  flushHeartbeats_();
  auto cutoff = domain::formatRfc3339(domain::nowSeconds() - silence_);
  auto offline = jobs_.markSilentAgentsOffline(cutoff);
  for (const auto& id : offline) {
    spdlog::warn("agent_health: agent {} is offline (no heartbeat since before {})", id, cutoff);
    recordSystemEvent(audit_, "agent.offline", "agents", id, {{"last_heartbeat_before", cutoff}});
  }
  return static_cast<int>(offline.size());
}

}  // namespace certctl::services
