#pragma once

#include "core/http/router.h"
#include "core/services/discovery_service.h"
#include "core/services/resource_service.h"

namespace certctl::api {

// Certificate discovery (seed 001): POST /agents/{id}/discoveries (410 for
// a retired agent), GET /discovered-certificates[/{id}] (filters agent_id,
// status, ...; the usual pagination), POST /discovered-certificates/{id}/claim
// and /dismiss, GET /discovery-scans and GET /discovery-summary.
void registerDiscoveryRoutes(http::Router& router, services::ResourceService& resources,
                             services::DiscoveryService& discovery);

}  // namespace certctl::api
