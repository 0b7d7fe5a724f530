#pragma once

#include "core/http/router.h"
#include "core/services/issuer_registry.h"

namespace certctl::api {

// POST /api/v1/issuers/{id}/test: asks the issuer's plugin whether it can
// reach its CA with the stored configuration.
void registerIssuerRoutes(http::Router& router, services::IssuerRegistry& issuers);

}  // namespace certctl::api
