#include "core/api/export_routes.h"

#include "core/api/json_body.h"

namespace certctl::api {

using http::Request;
using http::Response;

namespace {

services::ExportRequester requester(const Request& req) {
  return {req.actor, req.actor == "anonymous" ? "anonymous" : "api_key", req.requestId};
}

}  // namespace

void registerExportRoutes(http::Router& router, services::CertificateExport& exports) {
  router.add("GET", "/api/v1/certificates/{id}/export/pem", [&exports](Request& req) {
    return Response::json(200, exports.pem(req.param("id"), requester(req)));
  });
  router.add("POST", "/api/v1/certificates/{id}/export/pkcs12", [&exports](Request& req) {
    bool empty = req.body.find_first_not_of(" \t\r\n") == std::string::npos;
    auto body = empty ? nlohmann::json::object() : parseJsonObject(req);
    auto bundle = exports.pkcs12(req.param("id"), body, requester(req));
    Response response;
    response.status = 200;
    response.contentType = "application/x-pkcs12";
    response.body = std::move(bundle.der);
    response.setHeader("Content-Disposition", "attachment; filename=\"" + bundle.fileName + "\"");
    response.setHeader("Cache-Control", "no-store");
    return response;
  });
}

}  // namespace certctl::api
