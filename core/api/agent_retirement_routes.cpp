#include "core/api/agent_retirement_routes.h"

#include "core/api/list_params.h"
#include "core/domain/errors.h"
#include "core/domain/resources.h"

namespace certctl::api {

using http::Request;
using http::Response;

namespace {

bool forceParam(const Request& req) {
  const std::string* value = req.queryValue("force");
  if (value == nullptr || value->empty() || *value == "false") return false;
  if (*value == "true") return true;
  throw domain::badRequest("force", "force must be true or false");
}

}  // namespace

void registerAgentRetirementRoutes(http::Router& router, services::ResourceService& resources,
                                   services::AgentRetirement& retirement) {
  router.add("DELETE", "/api/v1/agents/{id}", [&retirement](Request& req) {
    for (const auto& param : req.query)
      if (param.first != "force" && param.first != "reason")
        throw domain::badRequest(param.first, "unknown query parameter " + param.first);
    bool force = forceParam(req);
    const std::string* reasonParam = req.queryValue("reason");
    std::string reason = reasonParam ? *reasonParam : std::string();
    try {
      return Response::json(200, retirement.retire(req.param("id"), force, reason, req.actor));
    } catch (const services::AgentHasDependencies& e) {
      auto response = http::errorResponse(409, "agent_has_dependencies", e.what(), req.requestId);
      auto body = nlohmann::json::parse(response.body);
      body["dependencies"] = services::dependenciesJson(e.dependencies());
      return Response::json(409, body);
    }
  });
  router.add("GET", "/api/v1/agents/retired", [&resources](Request& req) {
    const auto& spec = *domain::findResource("agents");
    auto query = parseListQuery(spec, req);
    query.presence.push_back({"retired_at", true});
    return Response::json(200, listEnvelope(query, resources.repository().list(spec, query)));
  });
}

}  // namespace certctl::api
