#pragma once

#include "core/http/router.h"
#include "core/services/resource_service.h"

namespace certctl::api {

// GET/POST /api/v1/<resource>, GET/PUT/DELETE /api/v1/<resource>/{id} for
// every inventory resource (agents: read-only until the agent API lands).
void registerResourceRoutes(http::Router& router, services::ResourceService& service);

}  // namespace certctl::api
