#include "core/api/health_routes.h"

#include "certctl/build_info.h"

namespace certctl::api {

using http::Request;
using http::Response;

void registerHealthRoutes(http::Router& router, HealthDeps deps) {
  router.add(
      "GET", "/health",
      [](Request&) {
        return Response::json(200, {{"status", "healthy"}});
      },
      false);
  router.add(
      "GET", "/ready",
      [deps](Request&) {
        bool db = deps.databaseReachable();
        bool migrations = db && deps.migrationsApplied();
        nlohmann::json body = {{"status", db && migrations ? "ready" : "not_ready"},
                               {"checks",
                                {{"database", db ? "ok" : "unreachable"},
                                 {"migrations", migrations ? "ok" : "pending"}}}};
        return Response::json(db && migrations ? 200 : 503, body);
      },
      false);
  router.add(
      "GET", "/api/v1/auth/info",
      [deps](Request&) {
        return Response::json(
            200, {{"auth_type", deps.authType}, {"required", deps.authType != "none"}});
      },
      false);
  router.add("GET", "/api/v1/auth/check", [](Request& req) {
    return Response::json(200,
                          {{"authenticated", true}, {"actor", req.actor}, {"role", req.actorRole}});
  });
  router.add("GET", "/api/v1/version", [](Request&) {
    return Response::json(200, {{"version", build::kVersion}, {"api", "v1"}});
  });
}

}  // namespace certctl::api
