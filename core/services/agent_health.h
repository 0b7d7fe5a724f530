#pragma once

#include <chrono>
#include <functional>

#include "core/services/audit_log.h"
#include "core/services/job_store.h"

namespace certctl::services {

// The agent health checker of seed 001: an agent not heard from for
// `missedBeats` heartbeat intervals becomes Offline (its next heartbeat
// makes it Online again). Heartbeats are buffered in memory by the
// AgentService; `flushHeartbeats` writes them first, so an agent that just
// called in is never judged on a stale last_heartbeat_at.
class AgentHealth {
 public:
  AgentHealth(JobStore& jobs, AuditLog& audit, std::function<void()> flushHeartbeats,
              std::chrono::seconds heartbeatInterval = std::chrono::seconds(60),
              int missedBeats = 3);

  // Returns how many agents went Offline.
  int run();

 private:
  JobStore& jobs_;
  AuditLog& audit_;
  std::function<void()> flushHeartbeats_;
  std::chrono::seconds silence_;
};

}  // namespace certctl::services
