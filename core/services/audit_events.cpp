#include "core/services/audit_events.h"

#include <spdlog/spdlog.h>

#include "core/services/issuance.h"

namespace certctl::services {

namespace {

void recordLogged(AuditLog& audit, AuditEvent event, bool durable) {
  const std::string action = event.action, resourceId = event.resourceId;
  try {
    audit.record(std::move(event), durable);
  } catch (const std::exception& e) {
    spdlog::error("audit of {} {} failed: {}", action, resourceId, e.what());
  }
}

AuditEvent makeEvent(const std::string& action, const std::string& resourceType,
                     const std::string& resourceId, nlohmann::json details) {
  AuditEvent event;
  event.action = action;
  event.resourceType = resourceType;
  event.resourceId = resourceId;
  event.details = std::move(details);
  return event;
}

}  // namespace

void recordOperatorEvent(AuditLog& audit, const std::string& actor, const std::string& action,
                         const std::string& resourceType, const std::string& resourceId,
                         nlohmann::json details) {
  AuditEvent event = makeEvent(action, resourceType, resourceId, std::move(details));
  event.actor = actor.empty() ? "anonymous" : actor;
  recordLogged(audit, std::move(event), true);
}

void recordSystemEvent(AuditLog& audit, const std::string& action, const std::string& resourceType,
                       const std::string& resourceId, nlohmann::json details) {
  AuditEvent event = makeEvent(action, resourceType, resourceId, std::move(details));
  event.actor = IssuanceService::kClaimedBy;
  event.actorType = "system";
  recordLogged(audit, std::move(event), false);
}

}  // namespace certctl::services
