// The pure parts of the EST server: the sliding-window limiter, csrattrs,
// the simplereenroll match, the body parser and the channel-binding check.
#include <catch2/catch.hpp>

#include "core/protocols/est/est_channel_binding.h"
#include "core/protocols/est/est_csr_attrs.h"
#include "core/protocols/est/est_wire.h"
#include "core/protocols/est/sliding_window_limiter.h"
#include "core/protocols/renewal_match.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/csr_builder.h"
#include "sdk/pki/private_key.h"

using namespace certctl::protocols;
using namespace certctl::protocols::est;
namespace pki = certctl::sdk::pki;

TEST_CASE("EST limiter: a sliding window per key", "[protocols][est]") {
  SlidingWindowLimiter limiter(2, std::chrono::hours(1), 2);
  auto t0 = SlidingWindowLimiter::Clock::now();
  CHECK(limiter.tryAdd("a", t0));
  CHECK(limiter.tryAdd("a", t0 + std::chrono::minutes(10)));
  CHECK_FALSE(limiter.tryAdd("a", t0 + std::chrono::minutes(20)));
  CHECK(limiter.exhausted("a", t0 + std::chrono::minutes(59)));
  CHECK(limiter.retryAfterSeconds("a", t0 + std::chrono::minutes(59)) == 60);
  CHECK_FALSE(limiter.exhausted("a", t0 + std::chrono::minutes(61)));  // the first left
  CHECK_FALSE(limiter.exhausted("b", t0));
  limiter.reset("a");
  CHECK(limiter.tryAdd("a", t0 + std::chrono::minutes(30)));
  // At the key cap the oldest key goes.
  limiter.add("b", t0 + std::chrono::minutes(1));
  limiter.add("c", t0 + std::chrono::minutes(2));
  limiter.add("c", t0 + std::chrono::minutes(2));
  CHECK(limiter.exhausted("c", t0 + std::chrono::minutes(3)));
}

TEST_CASE("EST csrattrs from the profile", "[protocols][est]") {
  CHECK(csrAttrsDer(nullptr, false).empty());
  // SEQUENCE { challengePassword }
  CHECK(pki::base64Encode(csrAttrsDer(nullptr, true)) == "MAsGCSqGSIb3DQEJBw==");
  nlohmann::json profile = {{"allowed_key_algorithms", {"ECDSA-P384", "RSA"}},
                            {"required_sans", {"*.example.com"}}};
  std::string der = csrAttrsDer(profile, false);
  // secp384r1 (2B 81 04 00 22), rsaEncryption, extensionRequest
  CHECK(der.find(std::string("\x2b\x81\x04\x00\x22", 5)) != std::string::npos);
  CHECK(der.find(std::string("\x2a\x86\x48\x86\xf7\x0d\x01\x01\x01", 9)) != std::string::npos);
  CHECK(der.find(std::string("\x2a\x86\x48\x86\xf7\x0d\x01\x09\x0e", 9)) != std::string::npos);
}

TEST_CASE("EST simplereenroll: the CSR names nothing the certificate does not",
          "[protocols][est]") {
  auto caKey = pki::PrivateKey::generateEcP256();
  auto ca = pki::CertificateBuilder()
                .commonName("CA")
                .ca(true)
                .validFor(std::chrono::hours(1))
                .selfSign(caKey);
  auto key = pki::PrivateKey::generateEcP256();
  auto csr =
      pki::CsrBuilder().commonName("dev").dnsName("dev.example").dnsName("dev.lan").sign(key);
  auto cert = pki::CertificateBuilder()
                  .commonName("dev")
                  .dnsName("dev.example")
                  .dnsName("dev.lan")
                  .validFor(std::chrono::hours(1))
                  .signWith(ca, caKey, csr);
  CHECK(renewalMismatch(cert, csr).empty());
  CHECK(renewalMismatch(cert, pki::CsrBuilder().commonName("dev").sign(key)).empty());
  CHECK_FALSE(renewalMismatch(cert, pki::CsrBuilder().commonName("other").sign(key)).empty());
  CHECK_FALSE(
      renewalMismatch(cert, pki::CsrBuilder().commonName("dev").dnsName("evil.example").sign(key))
          .empty());
  CHECK_FALSE(renewalMismatch(cert, pki::CsrBuilder().commonName("dev").organization("X").sign(key))
                  .empty());
}

TEST_CASE("EST body parser and channel binding", "[protocols][est]") {
  auto key = pki::PrivateKey::generateEcP256();
  auto csr = pki::CsrBuilder().commonName("dev").sign(key);
  certctl::http::Request request;
  request.body = pki::base64Encode(csr.toDer()) + "\r\n\r\n";
  CHECK(parseCsrBody(request).subjectCommonName() == "dev");
  request.body = csr.toPem();
  CHECK(parseCsrBody(request).subjectCommonName() == "dev");
  request.body = csr.toDer();
  CHECK(parseCsrBody(request).subjectCommonName() == "dev");
  request.body = "bm90IGEgY3Ny";
  CHECK_THROWS(parseCsrBody(request));

  request.tlsVersion = "TLSv1.2";
  CHECK(checkChannelBinding(request, csr) == ChannelBinding::NotTls13);
  request.tlsVersion = "TLSv1.3";
  request.tlsExporter = std::string(32, '\x07');
  CHECK(checkChannelBinding(request, csr) == ChannelBinding::Missing);
}
