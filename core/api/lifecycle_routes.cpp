#include "core/api/lifecycle_routes.h"

#include "core/api/json_body.h"
#include "core/api/list_params.h"
#include "core/domain/errors.h"
#include "core/domain/history_resources.h"

namespace certctl::api {

using http::Request;
using http::Response;

namespace {}  // namespace

void registerLifecycleRoutes(http::Router& router, services::ResourceService& resources,
                             services::CertificateLifecycle& lifecycle,
                             services::IssuanceService& issuance) {
  router.add("GET", "/api/v1/jobs", [&resources](Request& req) {
    const auto& spec = domain::jobSpec();
    auto query = parseListQuery(spec, req);
    return Response::json(200, listEnvelope(query, resources.repository().list(spec, query)));
  });
  router.add("GET", "/api/v1/jobs/{id}", [&resources](Request& req) {
    const auto& id = req.param("id");
    auto job =
        services::isValidId(id) ? resources.repository().get(domain::jobSpec(), id) : std::nullopt;
    if (!job) throw domain::notFound("job not found: " + id);
    return Response::json(200, *job);
  });
  router.add("POST", "/api/v1/certificates/{id}/renew", [&lifecycle](Request& req) {
    return Response::json(202, lifecycle.renew(req.param("id"), parseOptionalJsonObject(req)));
  });
  router.add("POST", "/api/v1/agents", [&lifecycle](Request& req) {
    auto agent = lifecycle.registerAgent(parseJsonObject(req), req.clientIp);
    auto response = Response::json(201, agent);
    response.setHeader("Location", "/api/v1/agents/" + agent["id"].get<std::string>());
    return response;
  });
  router.add("POST", "/api/v1/agents/{id}/csr", [&issuance](Request& req) {
    auto submission = services::IssuanceService::parseCsrSubmission(parseJsonObject(req));
    auto issued = issuance.submitCsr(req.param("id"), submission);
    req.auditInBackground = true;  // certificate.issued was committed with the version
    return Response::json(200, issued);
  });
}

}  // namespace certctl::api
