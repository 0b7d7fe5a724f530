#include "core/api/resource_routes.h"

#include "core/api/json_body.h"
#include "core/api/list_params.h"
#include "core/domain/resources.h"

namespace certctl::api {

using http::Request;
using http::Response;

void registerResourceRoutes(http::Router& router, services::ResourceService& service) {
  for (const auto& spec : domain::inventoryResources()) {
    const domain::ResourceSpec* s = &spec;
    std::string base = "/api/v1/" + spec.name;
    router.add("GET", base, [&service, s](Request& req) {
      auto query = parseListQuery(*s, req);
      // Retired agents are listed by GET /agents/retired only.
      if (s->name == "agents") query.presence.push_back({"retired_at", false});
      return Response::json(200, listEnvelope(query, service.list(*s, query)));
    });
    router.add("GET", base + "/{id}", [&service, s](Request& req) {
      return Response::json(200, service.get(*s, req.param("id")));
    });
    if (spec.name == "agents") continue;  // registration and retirement belong to the agent API
    router.add("POST", base, [&service, s](Request& req) {
      auto created = service.create(*s, parseJsonObject(req));
      auto response = Response::json(201, created);
      response.setHeader("Location", "/api/v1/" + s->name + "/" + created["id"].get<std::string>());
      return response;
    });
    router.add("PUT", base + "/{id}", [&service, s](Request& req) {
      return Response::json(200, service.update(*s, req.param("id"), parseJsonObject(req)));
    });
    router.add("DELETE", base + "/{id}", [&service, s](Request& req) {
      service.remove(*s, req.param("id"));
      return Response::noContent();
    });
  }
}

}  // namespace certctl::api
