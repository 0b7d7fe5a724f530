#pragma once

#include <nlohmann/json.hpp>

#include <string>

#include "core/services/audit_log.h"

namespace certctl::services {

// Queues an audit row for something the server did on its own (actor
// certctl-server, type system): the scheduler's state changes. A failing
// audit write is logged, never thrown at the loop.
void recordSystemEvent(AuditLog& audit, const std::string& action, const std::string& resourceType,
                       const std::string& resourceId, nlohmann::json details);

}  // namespace certctl::services
