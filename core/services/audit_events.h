#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "core/services/audit_log.h"

namespace certctl::services {

// Records a state change an API caller made (actor: the API key's name),
// durably, before the response goes out. A failing audit write is logged:
// the change itself is already committed.
void recordOperatorEvent(AuditLog& audit, const std::string& actor, const std::string& action,
                         const std::string& resourceType, const std::string& resourceId,
                         nlohmann::json details);

// Queues an audit row for something the server did on its own (actor
// certctl-server, type system): the scheduler's state changes. A failing
// audit write is logged, never thrown at the loop.
void recordSystemEvent(AuditLog& audit, const std::string& action, const std::string& resourceType,
                       const std::string& resourceId, nlohmann::json details);

}  // namespace certctl::services
