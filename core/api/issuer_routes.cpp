#include "core/api/issuer_routes.h"

namespace certctl::api {

void registerIssuerRoutes(http::Router& router, services::IssuerRegistry& issuers) {
  router.add("POST", "/api/v1/issuers/{id}/test", [&issuers](http::Request& req) {
    return http::Response::json(200, issuers.test(req.param("id")));
  });
}

}  // namespace certctl::api
