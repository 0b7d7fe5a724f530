#include "core/protocols/acme/acme_routes.h"

namespace certctl::protocols::acme {

void registerAcmeRoutes(http::Router& router, std::shared_ptr<AcmeServer> server) {
  using E = AcmeServer::Endpoint;
  struct RouteDef {
    const char* method;
    const char* path;
    E endpoint;
  };
  static const RouteDef kRoutes[] = {
      {"GET", "/directory", E::Directory},
      {"HEAD", "/new-nonce", E::NewNonce},
      {"GET", "/new-nonce", E::NewNonce},
      {"POST", "/new-account", E::NewAccount},
      {"POST", "/account/{acc_id}", E::Account},
      {"POST", "/account/{acc_id}/orders", E::AccountOrders},
      {"POST", "/new-order", E::NewOrder},
      {"POST", "/order/{ord_id}", E::Order},
      {"POST", "/order/{ord_id}/finalize", E::Finalize},
      {"POST", "/authz/{authz_id}", E::Authorization},
      {"POST", "/challenge/{chall_id}", E::Challenge},
      {"POST", "/cert/{cert_id}", E::Certificate},
      {"POST", "/key-change", E::KeyChange},
      {"POST", "/revoke-cert", E::RevokeCert},
      {"GET", "/renewal-info/{cert_id}", E::RenewalInfo},
  };
  for (const char* prefix : {"/acme/profile/{id}", "/acme"})
    for (const auto& route : kRoutes) {
      E endpoint = route.endpoint;
      router.add(
          route.method, std::string(prefix) + route.path,
          [server, endpoint](http::Request& req) { return server->handle(endpoint, req); }, false);
    }

  // Anything else under /acme (an unknown resource, a method a resource
  // does not take) is answered by the ACME server too, as a problem
  // document: literal segments win, so these never shadow the routes above.
  auto fallback = [server, &router](http::Request& req) {
    std::vector<std::string> allowed;
    for (const char* method : {"GET", "POST"}) {
      auto match = router.match(method, req.path);
      if (match.route && match.route->pattern.find("{_") == std::string::npos)
        allowed.emplace_back(method);
    }
    return server->handleUnknown(req, allowed);
  };
  // Up to the depth of the deepest route plus one, under both prefixes.
  constexpr int kDepth = 5;
  for (std::string prefix : {"/acme/profile/{id}", "/acme"}) {
    std::string pattern = prefix;
    for (int depth = 1; depth <= kDepth; ++depth) {
      pattern += "/{_" + std::to_string(depth) + "}";
      for (const char* method : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"})
        router.add(method, pattern, fallback, false);
    }
  }
}

}  // namespace certctl::protocols::acme
