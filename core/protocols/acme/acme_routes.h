#pragma once

#include <memory>

#include "core/http/router.h"
#include "core/protocols/acme/acme_server.h"

namespace certctl::protocols::acme {

// The ACME server's routes, without the API key (ACME authenticates each
// request by its JWS): /acme/profile/{id}/... for every profile and the
// /acme/... shorthand for the default one (docs/acme-server.md). `router`
// must outlive the routes (unknown /acme paths are matched against it).
void registerAcmeRoutes(http::Router& router, std::shared_ptr<AcmeServer> server);

}  // namespace certctl::protocols::acme
