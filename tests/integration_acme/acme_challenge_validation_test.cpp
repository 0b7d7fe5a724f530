// The ACME server's challenge validators (core/protocols/acme) against a
// real pebble-challtestsrv: its DNS server, its http-01 responder and its
// tls-alpn-01 responder are an independent implementation of the client
// side of RFC 8555 §8 and RFC 8737.
#include <catch2/catch.hpp>

#include "core/protocols/acme/challenge_checks.h"
#include "core/protocols/acme/network_challenge_validator.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/fingerprint.h"
#include "tests/integration_acme/challtestsrv.h"
#include "tests/support/process.h"
#include "tests/support/test_database.h"

using namespace certctl::protocols::acme;
using Catch::Matchers::Contains;
using certctl::testing::acme::ChallTestSrv;

namespace {

const std::string kToken = "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0";
const std::string kKeyAuthorization = kToken + ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI";

ChallengeValidationSettings settingsFor(const ChallTestSrv& server) {
  ChallengeValidationSettings settings;
  settings.dnsServer = DnsServer::parse("127.0.0.1:" + std::to_string(server.dnsPort()));
  settings.http01Port = server.http01Port();
  settings.tlsAlpn01Port = server.tlsAlpn01Port();
  settings.timeout = std::chrono::seconds(4);
  settings.allowLoopback = true;
  return settings;
}

ChallengeCheck check(std::string type, std::string identifier = "x.example.com",
                     std::string keyAuthorization = kKeyAuthorization) {
  return {std::move(type), "dns", std::move(identifier), kToken, std::move(keyAuthorization)};
}

}  // namespace

TEST_CASE("http-01 is validated against pebble-challtestsrv's responder",
          "[acme-server][validation]") {
  certctl::testing::TempDir dir;
  ChallTestSrv server(dir.path(), {.http01 = true});
  server.addHttp01(kToken, kKeyAuthorization);
  NetworkChallengeValidator validator(settingsFor(server));

  auto good = validator.validate(check("http-01"));
  CHECK(good.valid);
  CHECK(good.detail.empty());

  auto wrong = validator.validate(check("http-01", "x.example.com", kToken + ".other"));
  CHECK_FALSE(wrong.valid);
  CHECK(wrong.errorType == "incorrectResponse");

  auto unknownToken = validator.validate(
      {"http-01", "dns", "x.example.com", "bm90LXRoZS10b2tlbg", "bm90LXRoZS10b2tlbg.x"});
  CHECK_FALSE(unknownToken.valid);
  // challtestsrv answers an unknown token with an empty 200.
  CHECK(unknownToken.errorType == "incorrectResponse");

  SECTION("loopback targets are refused unless allowed") {
    auto settings = settingsFor(server);
    settings.allowLoopback = false;
    NetworkChallengeValidator strict(settings);
    auto refused = strict.validate(check("http-01"));
    CHECK_FALSE(refused.valid);
    CHECK(refused.errorType == "connection");
    CHECK_THAT(refused.detail, Contains("loopback"));
  }
  SECTION("nothing listening is a connection problem") {
    auto settings = settingsFor(server);
    settings.http01Port = certctl::testing::freeLoopbackPort();
    auto closed = NetworkChallengeValidator(settings).validate(check("http-01"));
    CHECK_FALSE(closed.valid);
    CHECK(closed.errorType == "connection");
  }
}

TEST_CASE("dns-01 reads the TXT record from the configured resolver", "[acme-server][validation]") {
  certctl::testing::TempDir dir;
  ChallTestSrv server(dir.path(), {});
  NetworkChallengeValidator validator(settingsFor(server));

  auto missing = validator.validate(check("dns-01", "d.example.com"));
  CHECK_FALSE(missing.valid);
  CHECK(missing.errorType == "dns");

  const std::string digest =
      certctl::sdk::pki::base64UrlEncode(certctl::sdk::pki::sha256(kKeyAuthorization));
  server.setTxt("_acme-challenge.d.example.com", "unrelated");
  auto other = validator.validate(check("dns-01", "d.example.com"));
  CHECK_FALSE(other.valid);
  CHECK(other.errorType == "incorrectResponse");

  server.setTxt("_acme-challenge.d.example.com", digest);
  CHECK(validator.validate(check("dns-01", "d.example.com")).valid);

  auto badName = validator.validate(check("dns-01", "bad name.example.com"));
  CHECK_FALSE(badName.valid);
  CHECK(badName.errorType == "rejectedIdentifier");
}

TEST_CASE("tls-alpn-01 checks pebble-challtestsrv's acme-tls/1 certificate",
          "[acme-server][validation]") {
  certctl::testing::TempDir dir;
  ChallTestSrv server(dir.path(), {.tlsAlpn01 = true});
  server.addTlsAlpn01("t.example.com", kKeyAuthorization);
  NetworkChallengeValidator validator(settingsFor(server));

  CHECK(validator.validate(check("tls-alpn-01", "t.example.com")).valid);

  auto wrong = validator.validate(check("tls-alpn-01", "t.example.com", kToken + ".other"));
  CHECK_FALSE(wrong.valid);
  CHECK(wrong.errorType == "incorrectResponse");
  CHECK_THAT(wrong.detail, Contains("SHA-256"));
}

TEST_CASE("validation targets: metadata and link-local addresses are never contacted",
          "[acme-server][validation]") {
  CHECK_FALSE(refusedTargetReason("169.254.169.254", true).empty());
  CHECK_FALSE(refusedTargetReason("fe80::1", true).empty());
  CHECK_FALSE(refusedTargetReason("0.0.0.0", true).empty());
  CHECK_FALSE(refusedTargetReason("224.0.0.1", true).empty());
  CHECK_FALSE(refusedTargetReason("127.0.0.1", false).empty());
  CHECK_FALSE(refusedTargetReason("::ffff:127.0.0.1", false).empty());
  CHECK_FALSE(refusedTargetReason("::1", false).empty());
  CHECK(refusedTargetReason("127.0.0.1", true).empty());
  CHECK(refusedTargetReason("10.1.2.3", false).empty());  // internal PKI: private ranges are fine
  CHECK(refusedTargetReason("2001:db8::1", false).empty());

  CHECK(reverseDnsName("192.0.2.10") == "10.2.0.192.in-addr.arpa");
  CHECK(reverseDnsName("2001:db8::1") ==
        "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  CHECK_THROWS_AS(DnsServer::parse("resolver.local"), std::invalid_argument);
  CHECK(DnsServer::parse("127.0.0.1:5353").port == 5353);
}
