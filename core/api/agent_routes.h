#pragma once

#include "core/http/router.h"
#include "core/services/agent_service.h"

namespace certctl::api {

// The agent API of seed 001 (heartbeat, work, certificate pickup, job
// status) plus deployments: POST /certificates/{id}/deploy, the
// certificate-target mappings (GET/POST /certificates/{id}/targets,
// DELETE /certificates/{id}/targets/{target_id}) and the verification
// result of a deployment job (POST /jobs/{id}/verify, GET /jobs/{id}/verification).
// A retired agent gets 410 Gone.
void registerAgentRoutes(http::Router& router, services::AgentService& agents);

// Wraps an endpoint an agent calls: services::AgentGone becomes 410 Gone,
// which tells the agent it was retired and must stop.
http::Handler agentHandler(std::function<http::Response(http::Request&)> handler);

}  // namespace certctl::api
