#include "core/protocols/ocsp_routes.h"

#include "sdk/pki/base64.h"

namespace certctl::protocols {

namespace {

constexpr const char* kBase = "/.well-known/pki/ocsp/{issuer_id}";
// A base64 request may contain '/', which arrives as extra path segments.
constexpr int kMaxGetSegments = 12;

http::Response ocspResponse(std::string der) {
  http::Response response;
  response.status = 200;
  response.contentType = "application/ocsp-response";
  response.body = std::move(der);
  return response;
}

// The path after /.well-known/pki/ocsp/{issuer_id}/, slashes kept.
std::string remainder(const std::string& path) {
  std::size_t pos = 0;
  for (int segment = 0; segment < 4; ++segment) {
    while (pos < path.size() && path[pos] == '/') ++pos;
    while (pos < path.size() && path[pos] != '/') ++pos;
  }
  while (pos < path.size() && path[pos] == '/') ++pos;
  return path.substr(pos);
}

}  // namespace

void registerOcspRoutes(http::Router& router, OcspResponder& responder) {
  router.add(
      "POST", kBase,
      [&responder](http::Request& req) {
        return ocspResponse(responder.respond(req.param("issuer_id"), req.body));
      },
      false);

  auto get = [&responder](http::Request& req) {
    const std::string& issuerId = req.param("issuer_id");
    const std::string rest = remainder(req.path);
    if (OcspResponder::canonicalSerial(rest))
      return ocspResponse(responder.respondForSerial(issuerId, rest));
    std::string der;
    try {
      der = sdk::pki::base64Decode(rest, "OCSP request");
    } catch (const std::exception&) {
      // Neither a serial nor base64: answered like any undecodable request.
      return ocspResponse(responder.respond(issuerId, {}));
    }
    return ocspResponse(responder.respond(issuerId, der));
  };
  std::string pattern = std::string(kBase) + "/{serial}";
  router.add("GET", pattern, get, false);
  for (int i = 1; i < kMaxGetSegments; ++i) {
    pattern += "/{p" + std::to_string(i) + "}";
    router.add("GET", pattern, get, false);
  }
}

}  // namespace certctl::protocols
