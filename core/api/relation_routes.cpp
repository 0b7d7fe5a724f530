#include "core/api/relation_routes.h"

#include "core/api/json_body.h"
#include "core/api/list_params.h"
#include "core/domain/errors.h"
#include "core/domain/history_resources.h"
#include "core/domain/resources.h"

namespace certctl::api {

using http::Request;
using http::Response;

namespace {

// GET <parent>/{id}/<child>: 404 for an unknown parent, then the child
// list filtered by the parent id (plus any fixed filter) with the usual
// query features.
http::Handler childList(services::ResourceService& resources, const char* parentName,
                        const domain::ResourceSpec& child, std::string parentColumn,
                        std::vector<domain::ListQuery::Equals> fixed = {}) {
  return [&resources, parentName, &child, parentColumn, fixed](Request& req) {
    const auto* parent = domain::findResource(parentName);
    resources.get(*parent, req.param("id"));
    Request filtered = req;
    auto query = parseListQuery(child, filtered);
    query.equals.push_back({parentColumn, req.param("id")});
    for (const auto& f : fixed) query.equals.push_back(f);
    return Response::json(200, listEnvelope(query, resources.repository().list(child, query)));
  };
}

}  // namespace

void registerRelationRoutes(http::Router& router, services::ResourceService& resources,
                            services::AgentGroupService& groups) {
  router.add(
      "GET", "/api/v1/certificates/{id}/versions",
      childList(resources, "certificates", domain::certificateVersionSpec(), "certificate_id"));
  router.add("GET", "/api/v1/certificates/{id}/deployments",
             childList(resources, "certificates", domain::jobSpec(), "certificate_id",
                       {{"type", "Deployment"}}));
  router.add("GET", "/api/v1/policies/{id}/violations",
             childList(resources, "policies", domain::policyViolationSpec(), "rule_id"));

  router.add("GET", "/api/v1/agent-groups/{id}/members", [&groups](Request& req) {
    auto members = groups.members(req.param("id"));
    nlohmann::json body = {{"data", members},
                           {"total", members.size()},
                           {"page", 1},
                           {"per_page", members.size()},
                           {"next_cursor", nullptr}};
    return Response::json(200, body);
  });
  router.add("POST", "/api/v1/agent-groups/{id}/members", [&groups](Request& req) {
    auto body = parseJsonObject(req);
    if (!body.contains("agent_id") || !body["agent_id"].is_string())
      throw domain::badRequest("agent_id", "agent_id is required");
    std::string membership = body.value("membership", std::string("include"));
    if (body.contains("membership") && !body["membership"].is_string())
      throw domain::badRequest("membership", "membership must be include or exclude");
    groups.setMembership(req.param("id"), body["agent_id"], membership);
    return Response::json(200, {{"group_id", req.param("id")},
                                {"agent_id", body["agent_id"]},
                                {"membership", membership}});
  });
  router.add("DELETE", "/api/v1/agent-groups/{id}/members/{agent_id}", [&groups](Request& req) {
    groups.removeMembership(req.param("id"), req.param("agent_id"));
    return Response::noContent();
  });
}

}  // namespace certctl::api
