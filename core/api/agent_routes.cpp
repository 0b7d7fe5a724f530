#include "core/api/agent_routes.h"

#include "core/api/json_body.h"

namespace certctl::api {

using http::Request;
using http::Response;

http::Handler agentHandler(std::function<Response(Request&)> handler) {
  return [handler = std::move(handler)](Request& req) {
    try {
      return handler(req);
    } catch (const services::AgentGone& e) {
      return http::errorResponse(410, "agent_retired", e.what(), req.requestId);
    }
  };
}

void registerAgentRoutes(http::Router& router, services::AgentService& agents) {
  router.add("POST", "/api/v1/agents/{id}/heartbeat", agentHandler([&agents](Request& req) {
               req.auditInBackground = true;  // the heartbeat itself is flushed in batches
               return Response::json(
                   200, agents.heartbeat(req.param("id"), parseOptionalJsonObject(req)));
             }));
  router.add("GET", "/api/v1/agents/{id}/work", agentHandler([&agents](Request& req) {
               return Response::json(200, agents.work(req.param("id")));
             }));
  router.add("GET", "/api/v1/agents/{id}/certificates/{cert_id}",
             agentHandler([&agents](Request& req) {
               return Response::json(200, agents.pickup(req.param("id"), req.param("cert_id")));
             }));
  router.add(
      "POST", "/api/v1/agents/{id}/jobs/{job_id}/status", agentHandler([&agents](Request& req) {
        return Response::json(
            200, agents.reportStatus(req.param("id"), req.param("job_id"), parseJsonObject(req)));
      }));

  router.add("POST", "/api/v1/certificates/{id}/deploy", [&agents](Request& req) {
    return Response::json(
        202, agents.triggerDeployment(req.param("id"), parseOptionalJsonObject(req), req.actor));
  });
  router.add("GET", "/api/v1/certificates/{id}/targets", [&agents](Request& req) {
    return Response::json(200, agents.listTargets(req.param("id")));
  });
  router.add("POST", "/api/v1/certificates/{id}/targets", [&agents](Request& req) {
    bool created = false;
    auto mapping = agents.mapTarget(req.param("id"), parseJsonObject(req), created);
    return Response::json(created ? 201 : 200, mapping);
  });
  router.add("DELETE", "/api/v1/certificates/{id}/targets/{target_id}", [&agents](Request& req) {
    agents.unmapTarget(req.param("id"), req.param("target_id"));
    return Response::noContent();
  });
  router.add("POST", "/api/v1/jobs/{id}/verify", [&agents](Request& req) {
    return Response::json(200, agents.verifyJob(req.param("id"), parseJsonObject(req), req.actor));
  });
  router.add("GET", "/api/v1/jobs/{id}/verification", [&agents](Request& req) {
    return Response::json(200, agents.jobVerification(req.param("id")));
  });
}

}  // namespace certctl::api
