#include "core/api/revocation_routes.h"

#include "core/api/json_body.h"
#include "core/http/admin_gate.h"

namespace certctl::api {

namespace {

services::RevocationActor actorOf(const http::Request& req) { return {req.actor, req.requestId}; }

}  // namespace

void registerRevocationRoutes(http::Router& router, services::RevocationService& revocations,
                              services::CrlService& crls) {
  router.add("POST", "/api/v1/certificates/{id}/revoke", [&revocations](http::Request& req) {
    // The body is optional: no body revokes with reason "unspecified".
    auto body = req.body.empty() ? nlohmann::json::object() : parseJsonObject(req);
    return http::Response::json(200, revocations.revoke(req.param("id"), body, actorOf(req)));
  });
  router.add("POST", "/api/v1/certificates/bulk-revoke", [&revocations](http::Request& req) {
    http::requireAdmin(req, "bulk revocation");
    return http::Response::json(200, revocations.bulkRevoke(parseJsonObject(req), actorOf(req)));
  });
  router.add("GET", "/api/v1/crl", [&crls](http::Request& req) {
    const std::string* issuer = req.queryValue("issuer_id");
    return http::Response::json(200, crls.listJson(issuer ? *issuer : std::string()));
  });
  router.add("GET", "/api/v1/admin/crl/cache", [&crls](http::Request& req) {
    http::requireAdmin(req, "the CRL cache view");
    return http::Response::json(200, crls.cacheJson());
  });
}

}  // namespace certctl::api
