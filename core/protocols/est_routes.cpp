#include "core/protocols/est_routes.h"

#include "core/domain/errors.h"
#include "core/http/admin_gate.h"

namespace certctl::protocols {

void registerEstRoutes(http::Router& router, est::EstServer& server) {
  server.registerRoutes(router);
  router.add("GET", "/api/v1/admin/est/profiles", [&server](http::Request& req) {
    http::requireAdmin(req, "the EST admin API");
    return http::Response::json(200, server.profilesJson());
  });
  router.add("POST", "/api/v1/admin/est/reload-trust", [&server](http::Request& req) {
    http::requireAdmin(req, "the EST admin API");
    std::string pathId = "*";
    if (!req.body.empty()) {
      auto body = nlohmann::json::parse(req.body, nullptr, false);
      if (!body.is_object())
        throw domain::badRequest("body", "expected a JSON object such as {\"path_id\": \"corp\"}");
      if (auto it = body.find("path_id"); it != body.end() && !it->is_null()) {
        if (!it->is_string()) throw domain::badRequest("path_id", "path_id must be a string");
        pathId = it->get<std::string>();
        server.requireProfile(pathId);
      }
    }
    auto results = server.reloadTrust(pathId, req);
    bool allReloaded = true;
    std::string errors;
    for (const auto& r : results)
      if (!r.value("reloaded", false)) {
        allReloaded = false;
        errors += (errors.empty() ? "" : "; ") + r.value("path_id", std::string()) + ": " +
                  r.value("error", std::string());
      }
    if (allReloaded) return http::Response::json(200, {{"data", results}});
    return http::Response::json(
        422, {{"error",
               {{"code", "reload_failed"},
                {"message", "trust bundle reload failed, the previous pool stays: " + errors}}},
              {"data", results},
              {"request_id", req.requestId}});
  });
}

}  // namespace certctl::protocols
