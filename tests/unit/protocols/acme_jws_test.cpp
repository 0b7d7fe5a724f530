// JWS parsing and verification of the built-in ACME server (RFC 7515,
// RFC 8555 §6.2), JWK thumbprints (RFC 7638) and ARI certificate ids
// (RFC 9773 §4.1).
#include <catch2/catch.hpp>

#include "core/protocols/acme/acme_problem.h"
#include "core/protocols/acme/ari_cert_id.h"
#include "core/protocols/acme/jws.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/certificate.h"
#include "tests/unit/protocols/acme_test_signer.h"

using namespace certctl::protocols::acme;
using certctl::testing::acme::TestSigner;
using nlohmann::json;
namespace pki = certctl::sdk::pki;

namespace {

const char* kUrl = "https://ca.example/acme/new-account";

// The problem type a call throws, "" when it does not throw one.
template <typename F>
std::string problemOf(F&& f) {
  try {
    f();
  } catch (const AcmeProblem& p) {
    return p.type();
  }
  return {};
}

json headerWithJwk(const TestSigner& s) {
  return {{"nonce", "n0nce"}, {"url", kUrl}, {"jwk", s.jwk()}};
}

}  // namespace

TEST_CASE("acme JWS: every supported algorithm verifies", "[acme][jws]") {
  for (const char* alg : {"ES256", "ES384", "RS256", "EdDSA"}) {
    TestSigner signer(alg);
    json body = signer.jws(headerWithJwk(signer), R"({"termsOfServiceAgreed":true})");
    Jws jws = parseJws(body);
    INFO(alg);
    CHECK(jws.alg == alg);
    CHECK(jws.url == kUrl);
    CHECK(jws.nonce == std::optional<std::string>("n0nce"));
    REQUIRE(jws.jwk);
    CHECK(jws.jwk->alg == alg);
    CHECK_NOTHROW(verifyJws(jws, *jws.jwk));
    CHECK(jws.payloadObject()["termsOfServiceAgreed"] == true);
    // The same from text.
    CHECK_NOTHROW(verifyJws(parseJwsText(body.dump()), *jws.jwk));
  }
}

TEST_CASE("acme JWS: refusals", "[acme][jws]") {
  TestSigner signer("ES256");
  json good = signer.jws(headerWithJwk(signer), "{}");

  SECTION("a signature by another key") {
    TestSigner other("ES256");
    json forged = other.jws(headerWithJwk(signer), "{}");  // claims signer's jwk
    Jws jws = parseJws(forged);
    CHECK(problemOf([&] { verifyJws(jws, *jws.jwk); }) == "malformed");
  }
  SECTION("a tampered payload") {
    json tampered = good;
    tampered["payload"] = pki::base64UrlEncode(R"({"x":1})");
    Jws jws = parseJws(tampered);
    CHECK(problemOf([&] { verifyJws(jws, *jws.jwk); }) == "malformed");
  }
  SECTION("alg none and HMAC") {
    for (const char* alg : {"none", "HS256", "PS256"}) {
      json header = headerWithJwk(signer);
      header["alg"] = alg;
      json body = {{"protected", pki::base64UrlEncode(header.dump())},
                   {"payload", pki::base64UrlEncode("{}")},
                   {"signature", alg == std::string("none") ? "" : "AAAA"}};
      CHECK(problemOf([&] { parseJws(body); }) == "badSignatureAlgorithm");
    }
  }
  SECTION("alg of another key type") {
    json header = headerWithJwk(signer);
    header["alg"] = "RS256";
    Jws jws = parseJws(signer.jws(header, "{}"));
    CHECK(problemOf([&] { verifyJws(jws, *jws.jwk); }) == "badSignatureAlgorithm");
  }
  SECTION("both jwk and kid, or neither") {
    json header = headerWithJwk(signer);
    header["kid"] = "https://ca.example/acme/account/1";
    CHECK(problemOf([&] { parseJws(signer.jws(header, "{}")); }) == "malformed");
    header.erase("kid");
    header.erase("jwk");
    CHECK(problemOf([&] { parseJws(signer.jws(header, "{}")); }) == "malformed");
  }
  SECTION("an unprotected header, a missing url, not JSON") {
    json withHeader = good;
    withHeader["header"] = json::object();
    CHECK(problemOf([&] { parseJws(withHeader); }) == "malformed");
    json header = headerWithJwk(signer);
    header.erase("url");
    CHECK(problemOf([&] { parseJws(signer.jws(header, "{}")); }) == "malformed");
    CHECK(problemOf([&] { parseJwsText("not json"); }) == "malformed");
    CHECK(problemOf([&] { parseJwsText(R"({"protected":"!!","payload":"","signature":"AA"})"); }) ==
          "malformed");
  }
  SECTION("a private or weak key") {
    json jwk = signer.jwk();
    jwk["d"] = "AAAA";
    CHECK(problemOf([&] { parseJwk(jwk); }) == "badPublicKey");
    CHECK(problemOf([&] {
            parseJwk({{"kty", "RSA"},
                      {"n", pki::base64UrlEncode(std::string(128, '\x7f'))},
                      {"e", "AQAB"}});
          }) == "badPublicKey");  // 1024 bits
    CHECK(problemOf([&] {
            parseJwk({{"kty", "EC"}, {"crv", "P-521"}, {"x", "AA"}, {"y", "AA"}});
          }) == "badPublicKey");
    json offCurve = jwk;
    offCurve.erase("d");
    offCurve["y"] = offCurve["x"];
    CHECK(problemOf([&] { parseJwk(offCurve); }) == "badPublicKey");
  }
  SECTION("POST-as-GET has an empty payload") {
    Jws jws = parseJws(signer.jws(headerWithJwk(signer), ""));
    CHECK(jws.postAsGet());
    CHECK_NOTHROW(verifyJws(jws, *jws.jwk));
    CHECK(problemOf([&] { jws.payloadObject(); }) == "malformed");
  }
}

TEST_CASE("acme JWK thumbprint follows RFC 7638", "[acme][jws]") {
  // RFC 7638 §3.1.
  json jwk = {
      {"kty", "RSA"},
      {"n",
       "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tS"
       "oc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-"
       "65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08q"
       "NLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-"
       "kEgU8awapJzKnqDKgw"},
      {"e", "AQAB"},
      {"alg", "RS256"},
      {"kid", "2011-04-29"}};
  Jwk key = parseJwk(jwk);
  CHECK(key.thumbprint == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs");
  CHECK(canonicalJwk(key).find("kid") == std::string::npos);
}

TEST_CASE("acme ARI: certificate identifiers (RFC 9773 §4.1)", "[acme][ari]") {
  // RFC 9773 §4.1's example: AKI 69:88:5B:6B:87:46:40:41:E1:B3:7B:84:7B:A0:AE:2C:DE:01:C8:D4,
  // serial 00:87:65:43:21.
  const std::string text = "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE";
  AriCertId id = parseAriCertId(text);
  CHECK(id.keyIdentifier.size() == 20);
  CHECK(id.serialHex() == "87654321");
  CHECK(id.text() == text);

  CHECK(problemOf([] { parseAriCertId("nodot"); }) == "malformed");
  CHECK(problemOf([] { parseAriCertId("a.b.c"); }) == "malformed");
  CHECK(problemOf([] { parseAriCertId("aYhb.AAE"); }) == "malformed");  // 00 01: not DER
  CHECK(problemOf([] { parseAriCertId("aYhb.gQ"); }) == "malformed");   // 0x81: negative
  CHECK(problemOf([] { parseAriCertId("aY+b.AQ"); }) == "malformed");   // not base64url
}
