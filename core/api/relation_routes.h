#pragma once

#include "core/http/router.h"
#include "core/services/agent_group_service.h"
#include "core/services/resource_service.h"

namespace certctl::api {

// Lists under a parent: certificate versions and deployments, policy
// violations, agent-group members (+ manual include/exclude).
void registerRelationRoutes(http::Router& router, services::ResourceService& resources,
                            services::AgentGroupService& groups);

}  // namespace certctl::api
