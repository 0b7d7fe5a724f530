#pragma once

#include "core/http/router.h"
#include "core/services/agent_retirement.h"
#include "core/services/resource_service.h"

namespace certctl::api {

// DELETE /api/v1/agents/{id}[?force=true&reason=...]: retires the agent
// (200 with the dependency counts and what the cascade did; 409 with the
// counts when dependencies remain and force is not set; 403 for a sentinel
// agent). GET /api/v1/agents/retired lists the retired agents.
void registerAgentRetirementRoutes(http::Router& router, services::ResourceService& resources,
                                   services::AgentRetirement& retirement);

}  // namespace certctl::api
