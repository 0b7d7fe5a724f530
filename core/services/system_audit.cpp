#include "core/services/system_audit.h"

#include <spdlog/spdlog.h>

#include "core/services/issuance.h"

namespace certctl::services {

void recordSystemEvent(AuditLog& audit, const std::string& action, const std::string& resourceType,
                       const std::string& resourceId, nlohmann::json details) {
  AuditEvent event;
  event.actor = IssuanceService::kClaimedBy;
  event.actorType = "system";
  event.action = action;
  event.resourceType = resourceType;
  event.resourceId = resourceId;
  event.details = std::move(details);
  try {
    audit.record(std::move(event), false);
  } catch (const std::exception& e) {
    spdlog::error("audit of {} {} failed: {}", action, resourceId, e.what());
  }
}

}  // namespace certctl::services
