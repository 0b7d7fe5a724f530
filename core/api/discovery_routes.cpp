#include "core/api/discovery_routes.h"

#include "core/api/agent_routes.h"
#include "core/api/json_body.h"
#include "core/api/list_params.h"
#include "core/domain/discovery_resources.h"

namespace certctl::api {

using http::Request;
using http::Response;

namespace {

void addListRoute(http::Router& router, services::ResourceService& resources,
                  const domain::ResourceSpec& spec) {
  router.add("GET", "/api/v1/" + spec.name, [&resources, &spec](Request& req) {
    auto query = parseListQuery(spec, req);
    return Response::json(200, listEnvelope(query, resources.repository().list(spec, query)));
  });
}

}  // namespace

void registerDiscoveryRoutes(http::Router& router, services::ResourceService& resources,
                             services::DiscoveryService& discovery) {
  router.add("POST", "/api/v1/agents/{id}/discoveries", agentHandler([&discovery](Request& req) {
               return Response::json(
                   201, discovery.submit(req.param("id"), parseJsonObject(req), req.actor));
             }));
  const auto& found = domain::discoveredCertificateSpec();
  addListRoute(router, resources, found);
  addListRoute(router, resources, domain::discoveryScanSpec());
  router.add("GET", "/api/v1/discovered-certificates/{id}", [&discovery](Request& req) {
    return Response::json(200, discovery.get(req.param("id")));
  });
  router.add("POST", "/api/v1/discovered-certificates/{id}/claim", [&discovery](Request& req) {
    return Response::json(200, discovery.claim(req.param("id"), parseJsonObject(req), req.actor));
  });
  router.add("POST", "/api/v1/discovered-certificates/{id}/dismiss", [&discovery](Request& req) {
    return Response::json(
        200, discovery.dismiss(req.param("id"), parseOptionalJsonObject(req), req.actor));
  });
  router.add("GET", "/api/v1/discovery-summary",
             [&discovery](Request&) { return Response::json(200, discovery.summary()); });
}

}  // namespace certctl::api
