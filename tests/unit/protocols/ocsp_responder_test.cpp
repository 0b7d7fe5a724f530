// OcspResponder over the real SQLite store and a fake CA: requests built and
// responses read with OpenSSL's own OCSP code, as a relying party would.
#include <catch2/catch.hpp>

#include <openssl/ocsp.h>

#include <thread>

#include "core/protocols/ocsp_responder.h"
#include "core/services/revocation_service.h"
#include "tests/unit/services/revocation_test_support.h"

using namespace certctl;
using namespace certctl::testing::revocation;

namespace {

// A DER OCSPRequest for `serialHex` of `issuer`, built by OpenSSL.
std::string ocspRequest(const pki::Certificate& issuer, const std::string& serialHex,
                        bool nonce = false, const EVP_MD* md = EVP_sha1()) {
  BIGNUM* bn = nullptr;
  REQUIRE(BN_hex2bn(&bn, serialHex.c_str()) > 0);
  ASN1_INTEGER* serial = BN_to_ASN1_INTEGER(bn, nullptr);
  OCSP_CERTID* id = OCSP_cert_id_new(md, X509_get_subject_name(issuer.get()),
                                     X509_get0_pubkey_bitstr(issuer.get()), serial);
  OCSP_REQUEST* req = OCSP_REQUEST_new();
  OCSP_request_add0_id(req, id);
  if (nonce) OCSP_request_add1_nonce(req, nullptr, -1);
  unsigned char* out = nullptr;
  int len = i2d_OCSP_REQUEST(req, &out);
  std::string der(reinterpret_cast<char*>(out), static_cast<std::size_t>(len));
  OPENSSL_free(out);
  OCSP_REQUEST_free(req);
  ASN1_INTEGER_free(serial);
  BN_free(bn);
  return der;
}

struct Answer {
  int responseStatus = -1;
  int certStatus = -1;  // V_OCSP_CERTSTATUS_*
  int reason = -1;
  bool verified = false;
  int nonceCheck = -2;  // OCSP_check_nonce
};

Answer read(const std::string& responseDer, const pki::Certificate& ca,
            const std::string& requestDer, const EVP_MD* md = EVP_sha1()) {
  Answer a;
  const auto* p = reinterpret_cast<const unsigned char*>(responseDer.data());
  OCSP_RESPONSE* resp = d2i_OCSP_RESPONSE(nullptr, &p, static_cast<long>(responseDer.size()));
  REQUIRE(resp != nullptr);
  a.responseStatus = OCSP_response_status(resp);
  if (a.responseStatus == OCSP_RESPONSE_STATUS_SUCCESSFUL) {
    OCSP_BASICRESP* basic = OCSP_response_get1_basic(resp);
    REQUIRE(basic != nullptr);
    X509_STORE* store = X509_STORE_new();
    X509_STORE_add_cert(store, ca.get());
    a.verified = OCSP_basic_verify(basic, nullptr, store, 0) == 1;
    const auto* q = reinterpret_cast<const unsigned char*>(requestDer.data());
    OCSP_REQUEST* req = d2i_OCSP_REQUEST(nullptr, &q, static_cast<long>(requestDer.size()));
    REQUIRE(req != nullptr);
    a.nonceCheck = OCSP_check_nonce(req, basic);
    OCSP_CERTID* id = OCSP_CERTID_dup(OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, 0)));
    ASN1_GENERALIZEDTIME *revokedAt = nullptr, *thisUpd = nullptr, *nextUpd = nullptr;
    if (OCSP_resp_find_status(basic, id, &a.certStatus, &a.reason, &revokedAt, &thisUpd,
                              &nextUpd) == 1) {
      CHECK(OCSP_check_validity(thisUpd, nextUpd, 60, -1) == 1);
      CHECK(nextUpd != nullptr);
    }
    (void)md;
    OCSP_CERTID_free(id);
    OCSP_REQUEST_free(req);
    X509_STORE_free(store);
    OCSP_BASICRESP_free(basic);
  }
  OCSP_RESPONSE_free(resp);
  return a;
}

struct Fixture {
  RevocationDb db;
  FakeCa ca;
  RecordingAuditLog audit;
  protocols::OcspResponder responder;
  services::RevocationService revocations{db.store, ca, audit, nullptr};

  explicit Fixture(protocols::OcspResponder::Options options = {})
      : responder(db.store, ca, options) {
    revocations.addListener(
        [this](const std::string& issuer, const std::vector<std::string>& serials) {
          responder.invalidate(issuer, serials);
        });
    db.profile("prof-short", 600);
    db.certificate("mc-good");
    db.certificate("mc-bad");
    db.certificate("mc-short", {.profile = "prof-short"});
    db.version("mc-good", "1A2B");
    db.version("mc-bad", "3C4D");
    db.version("mc-short", "5E6F");
  }

  Answer ask(const std::string& serial, bool nonce = false, const std::string& issuer = "iss-a",
             const EVP_MD* md = EVP_sha1()) {
    auto req = ocspRequest(ca.cert, serial, nonce, md);
    return read(responder.respond(issuer, req), ca.cert, req, md);
  }
};

}  // namespace

TEST_CASE("OCSP answers good, revoked and unknown", "[ocsp]") {
  Fixture f;
  f.revocations.revoke("mc-bad", {{"reason", "keyCompromise"}}, {});
  f.revocations.revoke("mc-short", {{"reason", "keyCompromise"}}, {});

  auto good = f.ask("1A2B");
  CHECK(good.responseStatus == OCSP_RESPONSE_STATUS_SUCCESSFUL);
  CHECK(good.verified);
  CHECK(good.certStatus == V_OCSP_CERTSTATUS_GOOD);

  auto revoked = f.ask("3C4D");
  CHECK(revoked.certStatus == V_OCSP_CERTSTATUS_REVOKED);
  CHECK(revoked.reason == OCSP_REVOKED_STATUS_KEYCOMPROMISE);

  CHECK(f.ask("999999").certStatus == V_OCSP_CERTSTATUS_UNKNOWN);
  // Short-lived certificates are outside OCSP, revoked or not.
  CHECK(f.ask("5E6F").certStatus == V_OCSP_CERTSTATUS_UNKNOWN);
  // SHA-256 CertIDs are recognised too (the plugin is asked for that digest).
  auto sha256 = f.ask("1A2B", false, "iss-a", EVP_sha256());
  CHECK(sha256.certStatus == V_OCSP_CERTSTATUS_GOOD);
  CHECK(f.ca.ocspRequests.back().hashAlgorithm == "SHA256");
}

TEST_CASE("OCSP answers without a nonce are pre-signed once and served from memory", "[ocsp]") {
  Fixture f;
  auto req = ocspRequest(f.ca.cert, "1A2B");
  auto first = f.responder.respond("iss-a", req);
  const int signatures = f.ca.ocspCalls;
  for (int i = 0; i < 50; ++i) CHECK(f.responder.respond("iss-a", req) == first);
  CHECK(f.ca.ocspCalls == signatures);
  auto stats = f.responder.stats();
  CHECK(stats.cacheHits == 50);
  CHECK(stats.cachedResponses == 1);
  // The GET form (same serial, SHA-1 CertID) shares the cached answer.
  CHECK(f.responder.respondForSerial("iss-a", "0x001a2b") == first);
  CHECK(f.ca.ocspCalls == signatures);
  // Unknown serials are not cached.
  f.ask("777");
  f.ask("777");
  CHECK(f.responder.stats().cachedResponses == 1);
}

TEST_CASE("a request with a nonce gets it echoed in a freshly signed response", "[ocsp]") {
  Fixture f;
  f.ask("1A2B");  // warms the cache
  const int before = f.ca.ocspCalls;
  auto a = f.ask("1A2B", true);
  auto b = f.ask("1A2B", true);
  CHECK(a.certStatus == V_OCSP_CERTSTATUS_GOOD);
  CHECK(a.nonceCheck == 1);
  CHECK(b.nonceCheck == 1);
  CHECK(f.ca.ocspCalls == before + 2);
  // Without a nonce the check reports "no nonce in either".
  CHECK(f.ask("1A2B").nonceCheck == 2);
}

TEST_CASE("a revocation invalidates the cached answer at once", "[ocsp]") {
  Fixture f;
  CHECK(f.ask("3C4D").certStatus == V_OCSP_CERTSTATUS_GOOD);
  CHECK(f.ask("3C4D").certStatus == V_OCSP_CERTSTATUS_GOOD);
  f.revocations.revoke("mc-bad", {{"reason", "superseded"}}, {});
  auto after = f.ask("3C4D");
  CHECK(after.certStatus == V_OCSP_CERTSTATUS_REVOKED);
  CHECK(after.reason == OCSP_REVOKED_STATUS_SUPERSEDED);
}

TEST_CASE("an invalidation racing a signature never leaves a stale answer cached", "[ocsp]") {
  protocols::OcspResponseCache cache(100);
  auto epoch = cache.epoch("iss-a", "AB");
  cache.invalidate("iss-a", {"AB"});  // the revocation lands while "good" is being signed
  protocols::OcspResponseCache::Response stale;
  stale.der = std::make_shared<const std::string>("good");
  stale.hashAlgorithm = "SHA1";
  stale.refreshAt = stale.staleAt = std::chrono::system_clock::now() + std::chrono::hours(1);
  CHECK_FALSE(cache.insert("iss-a", "AB", stale, epoch));
  CHECK(cache.find("iss-a", "AB", "SHA1", std::chrono::system_clock::now()) == nullptr);
  CHECK(cache.insert("iss-a", "AB", stale, cache.epoch("iss-a", "AB")));
  CHECK(*cache.find("iss-a", "AB", "SHA1", std::chrono::system_clock::now()) == "good");
  CHECK(cache.find("iss-a", "AB", "SHA256", std::chrono::system_clock::now()) == nullptr);
  CHECK(cache.find("iss-a", "AB", "SHA1", stale.staleAt) == nullptr);  // stale: not served
}

TEST_CASE("the response cache stays within its bound", "[ocsp]") {
  protocols::OcspResponseCache cache(64);
  protocols::OcspResponseCache::Response r;
  r.der = std::make_shared<const std::string>("x");
  r.hashAlgorithm = "SHA1";
  r.refreshAt = r.staleAt = std::chrono::system_clock::now() + std::chrono::hours(1);
  for (int i = 0; i < 1000; ++i) {
    const std::string serial = std::to_string(i);
    cache.insert("iss-a", serial, r, cache.epoch("iss-a", serial));
  }
  CHECK(cache.size() <= 64);
  CHECK(cache.size() >= 16);
  cache.clearIssuer("iss-a");
  CHECK(cache.size() == 0);
}

TEST_CASE("bad OCSP input gets OCSP error responses, never an exception", "[ocsp]") {
  Fixture f;
  auto status = [&](const std::string& issuer, const std::string& der) {
    return read(f.responder.respond(issuer, der), f.ca.cert, {}).responseStatus;
  };
  CHECK(status("iss-a", "") == OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  CHECK(status("iss-a", "not DER at all") == OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  auto req = ocspRequest(f.ca.cert, "1A2B");
  CHECK(status("iss-a", req.substr(0, req.size() - 3)) == OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  CHECK(status("iss-nope", req) == OCSP_RESPONSE_STATUS_UNAUTHORIZED);
  CHECK(status("../../etc", req) == OCSP_RESPONSE_STATUS_UNAUTHORIZED);

  // A CertID of another CA: we are not authoritative for it.
  auto otherKey = pki::PrivateKey::generateEcP256();
  auto other = pki::CertificateBuilder()
                   .commonName("Other CA")
                   .validFor(std::chrono::hours(1))
                   .ca(true)
                   .selfSign(otherKey);
  CHECK(status("iss-a", ocspRequest(other, "1A2B")) == OCSP_RESPONSE_STATUS_UNAUTHORIZED);

  f.ca.withoutOcsp.insert("iss-b");
  CHECK(status("iss-b", req) == OCSP_RESPONSE_STATUS_UNAUTHORIZED);

  auto serial = [&](const std::string& text) {
    return read(f.responder.respondForSerial("iss-a", text), f.ca.cert, {}).responseStatus;
  };
  CHECK(serial("xyz") == OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  CHECK(serial(std::string(41, 'F')) == OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
  CHECK(protocols::OcspResponder::canonicalSerial("0x00ab") == "AB");
  CHECK(protocols::OcspResponder::canonicalSerial("000") == "0");
  CHECK_FALSE(protocols::OcspResponder::canonicalSerial(""));
  CHECK_FALSE(protocols::OcspResponder::canonicalSerial("12 34"));
}

TEST_CASE("served answers are re-signed before they go stale, idle ones dropped", "[ocsp]") {
  protocols::OcspResponder::Options options;
  options.validity = std::chrono::seconds(4);  // refresh from 2 s on
  options.staleMargin = std::chrono::seconds(1);
  Fixture f(options);
  f.ask("1A2B");
  f.ask("1A2B");  // served from the cache: worth keeping fresh
  f.ask("3C4D");  // asked once, never again
  CHECK(f.responder.stats().cachedResponses == 2);
  const int before = f.ca.ocspCalls;
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  CHECK(f.responder.refreshDue() == 1);
  CHECK(f.ca.ocspCalls == before + 1);
  CHECK(f.responder.stats().cachedResponses == 1);
  CHECK(f.ca.ocspRequests.back().serial == "1A2B");
}
