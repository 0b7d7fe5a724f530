#include "sdk/pki/certificate_builder.h"

#include <openssl/err.h>
#include <openssl/x509_vfy.h>

#include <catch2/catch.hpp>

#include "sdk/pki/fingerprint.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/private_key.h"

namespace pki = certctl::sdk::pki;
using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

namespace {

// X509_verify_cert against `root` as the only trust anchor; returns the
// X509_V_* result so a failure names its reason.
int verifyChain(const pki::Certificate& leaf, const pki::Certificate& root,
                const std::vector<pki::Certificate>& intermediates = {},
                int purpose = X509_PURPOSE_SSL_SERVER) {
  pki::X509StorePtr store(X509_STORE_new());
  REQUIRE(store);
  REQUIRE(X509_STORE_add_cert(store.get(), root.get()) == 1);
  STACK_OF(X509)* untrusted = sk_X509_new_null();
  for (const auto& c : intermediates) sk_X509_push(untrusted, c.get());
  pki::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  REQUIRE(X509_STORE_CTX_init(ctx.get(), store.get(), leaf.get(), untrusted) == 1);
  X509_STORE_CTX_set_purpose(ctx.get(), purpose);
  int ok = X509_verify_cert(ctx.get());
  int err = X509_STORE_CTX_get_error(ctx.get());
  sk_X509_free(untrusted);  // borrowed certificates: free the stack only
  ERR_clear_error();
  return ok == 1 ? X509_V_OK : (err == X509_V_OK ? -1 : err);
}

pki::Certificate makeRoot(const pki::PrivateKey& key, int pathLen = -1) {
  return pki::CertificateBuilder()
      .commonName("Test Root")
      .organization("certctl tests")
      .validFor(24h)
      .ca(true, pathLen)
      .selfSign(key);
}

std::string octets(const ASN1_OCTET_STRING* s) {
  REQUIRE(s != nullptr);
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                     static_cast<size_t>(ASN1_STRING_length(s)));
}

bool isCritical(const pki::Certificate& cert, int nid) {
  int idx = X509_get_ext_by_NID(cert.get(), nid, -1);
  REQUIRE(idx >= 0);
  return X509_EXTENSION_get_critical(X509_get_ext(cert.get(), idx)) == 1;
}

}  // namespace

TEST_CASE("pki: builder output parses back with every requested field", "[pki]") {
  pki::PrivateKey rootKey = pki::PrivateKey::generateEcP256();
  pki::Certificate root = makeRoot(rootKey, 0);
  pki::PrivateKey leafKey = pki::PrivateKey::generateEcP256();

  const auto before = Clock::now();
  pki::Certificate leaf = pki::CertificateBuilder()
                              .commonName("svc.example.test")
                              .organization("Example")
                              .validFor(90 * 24h)
                              .dnsName("svc.example.test")
                              .subjectAltName("ALT.example.test")
                              .subjectAltName("10.1.2.3")
                              .ipAddress("fe80::1")
                              .serverAuth()
                              .clientAuth()
                              .signWith(root, rootKey, leafKey);
  const auto after = Clock::now();

  CHECK(leaf.subjectCommonName() == "svc.example.test");
  CHECK(leaf.subjectString() == "CN=svc.example.test,O=Example");
  CHECK(leaf.issuerString() == "CN=Test Root,O=certctl tests");
  CHECK(leaf.dnsNames() == std::vector<std::string>{"svc.example.test", "alt.example.test"});
  CHECK(leaf.ipAddresses() == std::vector<std::string>{"10.1.2.3", "fe80::1"});
  CHECK_FALSE(leaf.isCa());
  CHECK(leaf.matchesKey(leafKey));
  CHECK(leaf.isSignedBy(root));
  CHECK_FALSE(leaf.isSignedBy(leaf));

  // notBefore backdated 5 minutes; ASN.1 times have whole seconds.
  CHECK(leaf.notBefore() >= before - 5min - 1s);
  CHECK(leaf.notBefore() <= after - 5min);
  CHECK(leaf.notAfter() >= before + 90 * 24h - 1s);
  CHECK(leaf.notAfter() <= after + 90 * 24h);

  // Profile: critical basicConstraints and keyUsage, EKU, SKI/AKI chaining.
  CHECK(isCritical(leaf, NID_basic_constraints));
  CHECK(isCritical(leaf, NID_key_usage));
  CHECK_FALSE(isCritical(leaf, NID_subject_alt_name));
  CHECK(X509_get_key_usage(leaf.get()) == KU_DIGITAL_SIGNATURE);
  CHECK(X509_get_extended_key_usage(leaf.get()) == (XKU_SSL_SERVER | XKU_SSL_CLIENT));
  CHECK(octets(X509_get0_authority_key_id(leaf.get())) ==
        octets(X509_get0_subject_key_id(root.get())));
  CHECK(X509_get_signature_nid(leaf.get()) == NID_ecdsa_with_SHA256);

  CHECK(root.isCa());
  CHECK(root.pathLength() == 0);
  CHECK(X509_get_key_usage(root.get()) == (KU_KEY_CERT_SIGN | KU_CRL_SIGN));
  CHECK(octets(X509_get0_authority_key_id(root.get())) ==
        octets(X509_get0_subject_key_id(root.get())));
  CHECK(root.isSignedBy(root));

  CHECK(verifyChain(leaf, root) == X509_V_OK);
  CHECK(X509_check_host(leaf.get(), "alt.example.test", 0, 0, nullptr) == 1);
  CHECK(X509_check_ip_asc(leaf.get(), "10.1.2.3", 0) == 1);
}

TEST_CASE("pki: chain verification fails where it must", "[pki]") {
  pki::PrivateKey rootKey = pki::PrivateKey::generateEcP256();
  pki::Certificate root = makeRoot(rootKey, 0);
  pki::PrivateKey otherKey = pki::PrivateKey::generateEcP256();
  pki::Certificate otherRoot = makeRoot(otherKey);
  pki::PrivateKey leafKey = pki::PrivateKey::generateEcP256();
  pki::Certificate leaf = pki::CertificateBuilder()
                              .commonName("leaf")
                              .dnsName("leaf.test")
                              .validFor(1h)
                              .serverAuth()
                              .signWith(root, rootKey, leafKey);

  CHECK(verifyChain(leaf, root) == X509_V_OK);
  // Same subject name, different key: the signature must not verify.
  CHECK(verifyChain(leaf, otherRoot) != X509_V_OK);
  // serverAuth only: not usable as a client certificate.
  CHECK(verifyChain(leaf, root, {}, X509_PURPOSE_SSL_CLIENT) == X509_V_ERR_INVALID_PURPOSE);

  // pathlen 0 on the root forbids an intermediate CA below it.
  pki::PrivateKey midKey = pki::PrivateKey::generateEcP256();
  pki::Certificate mid = pki::CertificateBuilder().commonName("Mid").validFor(1h).ca(true).signWith(
      root, rootKey, midKey);
  pki::Certificate below = pki::CertificateBuilder()
                               .commonName("below")
                               .dnsName("below.test")
                               .validFor(1h)
                               .serverAuth()
                               .signWith(mid, midKey, leafKey);
  CHECK(verifyChain(below, root, {mid}) == X509_V_ERR_PATH_LENGTH_EXCEEDED);

  // The same intermediate under a root without pathlen verifies.
  pki::Certificate openRoot = makeRoot(otherKey, -1);
  pki::Certificate mid2 =
      pki::CertificateBuilder().commonName("Mid").validFor(1h).ca(true, 0).signWith(
          openRoot, otherKey, midKey);
  pki::Certificate below2 = pki::CertificateBuilder()
                                .commonName("below")
                                .dnsName("below.test")
                                .validFor(1h)
                                .serverAuth()
                                .signWith(mid2, midKey, leafKey);
  CHECK(verifyChain(below2, openRoot, {mid2}) == X509_V_OK);
  CHECK(verifyChain(below2, openRoot) != X509_V_OK);  // intermediate missing

  // Already expired.
  pki::Certificate expired = pki::CertificateBuilder()
                                 .commonName("old")
                                 .dnsName("old.test")
                                 .notBefore(Clock::now() - 48h)
                                 .notAfter(Clock::now() - 24h)
                                 .serverAuth()
                                 .signWith(root, rootKey, leafKey);
  CHECK(verifyChain(expired, root) == X509_V_ERR_CERT_HAS_EXPIRED);
}

TEST_CASE("pki: serials are random, positive, and unique", "[pki]") {
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  pki::CertificateBuilder builder;
  builder.commonName("same input").validFor(1h);
  pki::Certificate a = builder.selfSign(key);
  pki::Certificate b = builder.selfSign(key);
  CHECK(a.serialHex() != b.serialHex());
  for (const auto& cert : {a, b}) {
    CHECK(cert.serialHex().size() <= 32);
    CHECK(cert.serialHex().size() >= 16);  // leading zeros aside, 128 bits
    CHECK(cert.serialHex().find_first_not_of("0123456789ABCDEF") == std::string::npos);
    CHECK(ASN1_STRING_type(X509_get0_serialNumber(cert.get())) == V_ASN1_INTEGER);  // not negative
  }
  CHECK(builder.serialHex("00ab12").selfSign(key).serialHex() == "AB12");
  CHECK_THROWS_AS(builder.serialHex("0"), pki::PkiError);
  CHECK_THROWS_AS(builder.serialHex("-1"), pki::PkiError);
  CHECK_THROWS_AS(builder.serialHex("xyz"), pki::PkiError);
  CHECK_THROWS_AS(builder.serialHex(std::string(41, 'F')), pki::PkiError);
}

TEST_CASE("pki: fingerprint equals X509_digest computed independently", "[pki]") {
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  pki::Certificate cert = pki::CertificateBuilder().commonName("fp").validFor(1h).selfSign(key);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  REQUIRE(X509_digest(cert.get(), EVP_sha256(), md, &len) == 1);
  REQUIRE(len == 32);
  // What `openssl x509 -fingerprint -sha256` prints: uppercase, colon-separated.
  std::string opensslStyle;
  for (unsigned int i = 0; i < len; ++i) {
    char byte[4];
    std::snprintf(byte, sizeof byte, i == 0 ? "%02X" : ":%02X", md[i]);
    opensslStyle += byte;
  }
  std::string expected;
  for (char c : opensslStyle) {
    if (c != ':') expected += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  CHECK(cert.sha256FingerprintHex() == expected);
  CHECK(cert.sha256FingerprintHex() == pki::sha256Hex(cert.toDer()));
}

TEST_CASE("pki: RSA and Ed25519 keys sign and get their key usage", "[pki]") {
  pki::PrivateKey rsaCaKey = pki::PrivateKey::generateRsa(2048);
  pki::Certificate rsaCa = makeRoot(rsaCaKey);
  CHECK(X509_get_signature_nid(rsaCa.get()) == NID_sha256WithRSAEncryption);

  pki::PrivateKey rsaLeafKey = pki::PrivateKey::generateRsa(2048);
  pki::Certificate rsaLeaf = pki::CertificateBuilder()
                                 .commonName("rsa")
                                 .dnsName("rsa.test")
                                 .validFor(1h)
                                 .serverAuth()
                                 .signWith(rsaCa, rsaCaKey, rsaLeafKey);
  CHECK(X509_get_key_usage(rsaLeaf.get()) == (KU_DIGITAL_SIGNATURE | KU_KEY_ENCIPHERMENT));
  CHECK(verifyChain(rsaLeaf, rsaCa) == X509_V_OK);

  pki::PrivateKey edCaKey = pki::PrivateKey::generateEd25519();
  pki::Certificate edCa = makeRoot(edCaKey);
  CHECK(X509_get_signature_nid(edCa.get()) == NID_ED25519);
  pki::PrivateKey edLeafKey = pki::PrivateKey::generateEd25519();
  pki::Certificate edLeaf = pki::CertificateBuilder()
                                .commonName("ed")
                                .dnsName("ed.test")
                                .validFor(1h)
                                .clientAuth()
                                .signWith(edCa, edCaKey, edLeafKey);
  CHECK(X509_get_key_usage(edLeaf.get()) == KU_DIGITAL_SIGNATURE);
  CHECK(X509_get_extended_key_usage(edLeaf.get()) == XKU_SSL_CLIENT);
  CHECK(verifyChain(edLeaf, edCa, {}, X509_PURPOSE_SSL_CLIENT) == X509_V_OK);

  // Mixed: an EC leaf under the Ed25519 CA.
  pki::Certificate mixed = pki::CertificateBuilder().commonName("mixed").validFor(1h).signWith(
      edCa, edCaKey, pki::PrivateKey::generateEcP256());
  CHECK(mixed.isSignedBy(edCa));
}

TEST_CASE("pki: a subject-less certificate gets a critical SAN", "[pki]") {
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  pki::Certificate cert =
      pki::CertificateBuilder().dnsName("only.san.test").validFor(1h).selfSign(key);
  CHECK(cert.subjectString().empty());
  CHECK(cert.subjectCommonName().empty());
  CHECK(isCritical(cert, NID_subject_alt_name));
}

TEST_CASE("pki: the builder refuses bad input with PkiError", "[pki]") {
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  pki::CertificateBuilder b;
  CHECK_THROWS_AS(b.dnsName(""), pki::PkiError);
  CHECK_THROWS_AS(b.dnsName("a b.test"), pki::PkiError);
  CHECK_THROWS_AS(b.dnsName("bad..test"), pki::PkiError);
  CHECK_THROWS_AS(b.dnsName("-lead.test"), pki::PkiError);
  CHECK_THROWS_AS(b.dnsName("DNS:x,IP:1.2.3.4"), pki::PkiError);  // no config-string injection
  CHECK_THROWS_AS(b.dnsName(std::string(64, 'a') + ".test"), pki::PkiError);
  CHECK_NOTHROW(b.dnsName("*.wild.test"));
  CHECK_THROWS_AS(b.ipAddress("300.1.1.1"), pki::PkiError);
  CHECK_THROWS_AS(b.ipAddress("example.test"), pki::PkiError);

  // No validity, no subject at all, notAfter before notBefore.
  CHECK_THROWS_WITH(pki::CertificateBuilder().commonName("x").selfSign(key),
                    Catch::Contains("notAfter"));
  CHECK_THROWS_AS(pki::CertificateBuilder().validFor(1h).selfSign(key), pki::PkiError);
  CHECK_THROWS_AS(pki::CertificateBuilder().commonName("x").validFor(-1h).selfSign(key),
                  pki::PkiError);
  // CN longer than the X.520 upper bound of 64.
  CHECK_THROWS_AS(
      pki::CertificateBuilder().commonName(std::string(65, 'c')).validFor(1h).selfSign(key),
      pki::PkiError);

  // The issuer key must belong to the issuer certificate.
  pki::Certificate root = makeRoot(key);
  pki::PrivateKey stranger = pki::PrivateKey::generateEcP256();
  CHECK_THROWS_WITH(
      pki::CertificateBuilder().commonName("x").validFor(1h).signWith(root, stranger, stranger),
      Catch::Contains("issuer key does not match"));
  CHECK_THROWS_AS(pki::CertificateBuilder().commonName("x").validFor(1h).signWith(
                      root, key, static_cast<EVP_PKEY*>(nullptr)),
                  pki::PkiError);
}
