#include "core/services/operator_audit.h"

#include <spdlog/spdlog.h>

namespace certctl::services {

void recordOperatorEvent(AuditLog& audit, const std::string& actor, const std::string& action,
                         const std::string& resourceType, const std::string& resourceId,
                         nlohmann::json details) {
  AuditEvent event;
  event.actor = actor.empty() ? "anonymous" : actor;
  event.action = action;
  event.resourceType = resourceType;
  event.resourceId = resourceId;
  event.details = std::move(details);
  try {
    audit.record(std::move(event), true);
  } catch (const std::exception& e) {
    spdlog::error("audit of {} {} failed: {}", action, resourceId, e.what());
  }
}

}  // namespace certctl::services
