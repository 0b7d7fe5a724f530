// The OCSP and CRL HTTP framing: every form reaches the responder with the
// right bytes, and answers carry the RFC content types.
#include <catch2/catch.hpp>

#include <openssl/ocsp.h>

#include "core/domain/errors.h"
#include "core/protocols/crl_routes.h"
#include "core/protocols/ocsp_routes.h"
#include "core/services/crl_service.h"
#include "sdk/pki/base64.h"
#include "tests/unit/services/revocation_test_support.h"

using namespace certctl;
using namespace certctl::testing::revocation;

namespace {

std::string requestFor(const pki::Certificate& issuer, const std::string& serialHex) {
  BIGNUM* bn = nullptr;
  BN_hex2bn(&bn, serialHex.c_str());
  ASN1_INTEGER* serial = BN_to_ASN1_INTEGER(bn, nullptr);
  OCSP_REQUEST* req = OCSP_REQUEST_new();
  OCSP_request_add0_id(req, OCSP_cert_id_new(EVP_sha1(), X509_get_subject_name(issuer.get()),
                                             X509_get0_pubkey_bitstr(issuer.get()), serial));
  unsigned char* out = nullptr;
  int len = i2d_OCSP_REQUEST(req, &out);
  std::string der(reinterpret_cast<char*>(out), static_cast<std::size_t>(len));
  OPENSSL_free(out);
  OCSP_REQUEST_free(req);
  ASN1_INTEGER_free(serial);
  BN_free(bn);
  return der;
}

struct Fixture {
  RevocationDb db;
  FakeCa ca;
  protocols::OcspResponder responder{db.store, ca};
  services::CrlService crls{db.store, ca};
  http::Router router;

  Fixture() {
    protocols::registerOcspRoutes(router, responder);
    protocols::registerCrlRoutes(router, crls);
    db.certificate("mc-1");
  }

  http::Response call(const std::string& method, const std::string& path,
                      const std::string& body = {}) {
    auto match = router.match(method, path);
    REQUIRE(match.route != nullptr);
    CHECK_FALSE(match.route->requiresAuth);
    http::Request request;
    request.method = method;
    request.path = path;
    request.body = body;
    request.pathParams = match.params;
    return match.route->handler(request);
  }
};

}  // namespace

TEST_CASE("OCSP over HTTP: POST, GET by serial and GET by base64 request", "[ocsp][http]") {
  Fixture f;
  // A serial whose request, base64-encoded, contains '/' (split into path segments).
  std::string serial, b64;
  for (int i = 1; i < 5000; ++i) {
    serial = "AB" + std::to_string(i);
    b64 = pki::base64Encode(requestFor(f.ca.cert, serial));
    if (b64.find('/') != std::string::npos) break;
  }
  REQUIRE(b64.find('/') != std::string::npos);
  f.db.version("mc-1", serial);
  const std::string der = requestFor(f.ca.cert, serial);

  auto post = f.call("POST", "/.well-known/pki/ocsp/iss-a", der);
  CHECK(post.status == 200);
  CHECK(post.contentType == "application/ocsp-response");
  const std::string expected = f.responder.respond("iss-a", der);  // now cached
  CHECK(post.body == expected);

  auto byBase64 = f.call("GET", "/.well-known/pki/ocsp/iss-a/" + b64);
  CHECK(byBase64.body == expected);
  std::string lower = serial;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto bySerial = f.call("GET", "/.well-known/pki/ocsp/iss-a/000" + lower);
  CHECK(bySerial.contentType == "application/ocsp-response");
  CHECK(bySerial.body == expected);

  // Garbage in the GET form is a malformedRequest OCSP response, still 200.
  auto garbage = f.call("GET", "/.well-known/pki/ocsp/iss-a/!!notbase64!!");
  CHECK(garbage.status == 200);
  const auto* p = reinterpret_cast<const unsigned char*>(garbage.body.data());
  OCSP_RESPONSE* resp = d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(garbage.body.size()));
  REQUIRE(resp);
  CHECK(OCSP_response_status(resp) == OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  OCSP_RESPONSE_free(resp);
}

TEST_CASE("CRL over HTTP: DER with application/pkix-crl, 404 JSON otherwise", "[crl][http]") {
  Fixture f;
  auto crl = f.call("GET", "/.well-known/pki/crl/iss-a");
  CHECK(crl.status == 200);
  CHECK(crl.contentType == "application/pkix-crl");
  CHECK(crl.body == *f.crls.current("iss-a")->der);
  CHECK_THROWS_AS(f.call("GET", "/.well-known/pki/crl/iss-nope"), domain::ApiError);
}
