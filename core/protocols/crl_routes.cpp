#include "core/protocols/crl_routes.h"

namespace certctl::protocols {

void registerCrlRoutes(http::Router& router, services::CrlService& crls) {
  router.add(
      "GET", "/.well-known/pki/crl/{issuer_id}",
      [&crls](http::Request& req) {
        auto snapshot = crls.current(req.param("issuer_id"));
        http::Response response;
        response.status = 200;
        response.contentType = "application/pkix-crl";
        response.body = *snapshot->der;
        return response;
      },
      false);
}

}  // namespace certctl::protocols
