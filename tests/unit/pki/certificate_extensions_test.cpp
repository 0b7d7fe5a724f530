#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <random>

#include "sdk/pki/certificate.h"
#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/csr.h"
#include "sdk/pki/csr_builder.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/private_key.h"
#include "tests/support/process.h"

namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;
using namespace std::chrono_literals;
using certctl::testing::runProcess;
using pki::KeyUsage;
using Strings = std::vector<std::string>;

namespace {

constexpr const char* kOcspUrl = "http://127.0.0.1:8443/.well-known/pki/ocsp/iss-local";
constexpr const char* kCaIssuersUrl = "http://127.0.0.1:8443/.well-known/pki/ca/iss-local.cer";
constexpr const char* kCrlUrl = "http://127.0.0.1:8443/.well-known/pki/crl/iss-local";

class ScratchDir {
 public:
  ScratchDir() {
    std::random_device rd;
    path_ = fs::temp_directory_path() / ("certctl-certext-" + std::to_string(rd()));
    fs::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  std::string file(const std::string& name, std::string_view content) const {
    fs::path p = path_ / name;
    std::ofstream(p, std::ios::binary) << content;
    return p.string();
  }

 private:
  fs::path path_;
};

struct Ca {
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  pki::Certificate cert = pki::CertificateBuilder()
                              .commonName("Extensions Test Root")
                              .validFor(24h)
                              .ca(true)
                              .selfSign(key);
};

// `openssl x509 -noout -text`: OpenSSL's own reading of what we encoded.
std::string opensslText(const ScratchDir& dir, const pki::Certificate& cert) {
  auto r =
      runProcess({"openssl", "x509", "-in", dir.file("text.pem", cert.toPem()), "-noout", "-text"});
  REQUIRE(r.exitCode == 0);
  return r.output;
}

// `openssl verify` of `leaf` under `root` with extra options; the exit code.
int opensslVerify(const ScratchDir& dir, const pki::Certificate& root, const pki::Certificate& leaf,
                  std::vector<std::string> options) {
  std::vector<std::string> argv = {"openssl", "verify", "-CAfile",
                                   dir.file("root.pem", root.toPem())};
  argv.insert(argv.end(), options.begin(), options.end());
  argv.push_back(dir.file("leaf.pem", leaf.toPem()));
  auto r = runProcess(argv);
  INFO(r.output);
  if (r.exitCode == 0) CHECK_THAT(r.output, Catch::Contains(": OK"));
  return r.exitCode;
}

bool isCritical(const pki::Certificate& cert, int nid) {
  int idx = X509_get_ext_by_NID(cert.get(), nid, -1);
  REQUIRE(idx >= 0);
  return X509_EXTENSION_get_critical(X509_get_ext(cert.get(), idx)) == 1;
}

}  // namespace

TEST_CASE("pki: an S/MIME certificate from a CSR verifies for smimesign only", "[pki]") {
  ScratchDir dir;
  Ca ca;
  pki::PrivateKey aliceKey = pki::PrivateKey::generateRsa(2048);
  pki::Csr csr = pki::CsrBuilder()
                     .commonName("Alice")
                     .emailAddress("alice@example.test")
                     .dnsName("requested.example.test")
                     .sign(aliceKey);
  REQUIRE(csr.verifySignature());

  // The caller picks what of the request to honour: here the email only.
  pki::Certificate leaf = pki::CertificateBuilder()
                              .commonName(csr.subjectCommonName())
                              .emailAddress(csr.subjectAltNames().emailAddresses().at(0))
                              .keyUsage(KeyUsage::DigitalSignature | KeyUsage::ContentCommitment)
                              .extendedKeyUsage({"emailProtection"})
                              .validFor(24h)
                              .signWith(ca.cert, ca.key, csr);

  CHECK(leaf.isSignedBy(ca.cert));
  CHECK(leaf.matchesKey(aliceKey));
  CHECK(leaf.publicKeyPem() == csr.publicKeyPem());
  CHECK(leaf.keyAlgorithm() == "RSA");
  CHECK(leaf.keyBits() == 2048);
  CHECK(leaf.keyUsageNames() == Strings{"digitalSignature", "contentCommitment"});
  CHECK(isCritical(leaf, NID_key_usage));
  CHECK(leaf.extendedKeyUsageNames() == Strings{"emailProtection"});
  CHECK(leaf.emailAddresses() == Strings{"alice@example.test"});
  CHECK(leaf.dnsNames().empty());  // the CSR's DNS name was not copied
  CHECK(leaf.uris().empty());

  const std::string text = opensslText(dir, leaf);
  CHECK_THAT(text, Catch::Contains("X509v3 Key Usage: critical") &&
                       Catch::Contains("Digital Signature, Non Repudiation") &&
                       Catch::Contains("E-mail Protection") &&
                       Catch::Contains("email:alice@example.test"));
  CHECK_THAT(text, !Catch::Contains("DNS:"));

  CHECK(opensslVerify(dir, ca.cert, leaf, {"-purpose", "smimesign"}) == 0);
  CHECK(opensslVerify(dir, ca.cert, leaf,
                      {"-purpose", "smimesign", "-verify_email", "alice@example.test"}) == 0);
  CHECK(opensslVerify(dir, ca.cert, leaf,
                      {"-purpose", "smimesign", "-verify_email", "bob@example.test"}) != 0);
  // No keyEncipherment, no serverAuth: refused for both.
  CHECK(opensslVerify(dir, ca.cert, leaf, {"-purpose", "smimeencrypt"}) != 0);
  CHECK(opensslVerify(dir, ca.cert, leaf, {"-purpose", "sslserver"}) != 0);
}

TEST_CASE("pki: AIA, CRL distribution point and every SAN kind in a TLS certificate", "[pki]") {
  ScratchDir dir;
  Ca ca;
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  pki::Certificate leaf = pki::CertificateBuilder()
                              .commonName("web.example.test")
                              .dnsName("web.example.test")
                              .ipAddress("192.0.2.10")
                              .emailAddress("ops@example.test")
                              .uri("spiffe://example.test/web")
                              .serverAuth()
                              .clientAuth()
                              .authorityInfoAccess(kOcspUrl, kCaIssuersUrl)
                              .crlDistributionPoint(kCrlUrl)
                              .crlDistributionPoint(kCrlUrl)  // once is enough
                              .validFor(24h)
                              .signWith(ca.cert, ca.key, key);

  CHECK(leaf.ocspUrls() == Strings{kOcspUrl});
  CHECK(leaf.caIssuersUrls() == Strings{kCaIssuersUrl});
  CHECK(leaf.crlDistributionPoints() == Strings{kCrlUrl});
  CHECK_FALSE(leaf.hasOcspNoCheck());
  CHECK(leaf.dnsNames() == Strings{"web.example.test"});
  CHECK(leaf.ipAddresses() == Strings{"192.0.2.10"});
  CHECK(leaf.emailAddresses() == Strings{"ops@example.test"});
  CHECK(leaf.uris() == Strings{"spiffe://example.test/web"});
  pki::SubjectAltNames sans = leaf.subjectAltNames();
  CHECK(sans.dnsNames() == leaf.dnsNames());
  CHECK(sans.uris() == leaf.uris());
  CHECK(leaf.extendedKeyUsageNames() == Strings{"serverAuth", "clientAuth"});
  CHECK(leaf.keyUsageNames() == Strings{"digitalSignature"});  // the default for EC leaves
  CHECK_FALSE(isCritical(leaf, NID_info_access));
  CHECK_FALSE(isCritical(leaf, NID_crl_distribution_points));

  const std::string text = opensslText(dir, leaf);
  CHECK_THAT(text, Catch::Contains(std::string("OCSP - URI:") + kOcspUrl) &&
                       Catch::Contains(std::string("CA Issuers - URI:") + kCaIssuersUrl) &&
                       Catch::Contains("X509v3 CRL Distribution Points") &&
                       Catch::Contains(std::string("URI:") + kCrlUrl) &&
                       Catch::Contains("URI:spiffe://example.test/web") &&
                       Catch::Contains("email:ops@example.test") &&
                       Catch::Contains("IP Address:192.0.2.10"));
  auto ocspUri = runProcess(
      {"openssl", "x509", "-in", dir.file("l.pem", leaf.toPem()), "-noout", "-ocsp_uri"});
  CHECK(ocspUri.exitCode == 0);
  CHECK(ocspUri.output == std::string(kOcspUrl) + "\n");

  CHECK(opensslVerify(dir, ca.cert, leaf, {"-purpose", "sslserver"}) == 0);
  CHECK(opensslVerify(dir, ca.cert, leaf, {"-purpose", "sslclient"}) == 0);
  CHECK(opensslVerify(dir, ca.cert, leaf, {"-purpose", "smimesign"}) != 0);

  // OCSP only, then caIssuers only.
  pki::Certificate ocspOnly =
      pki::CertificateBuilder().commonName("o").authorityInfoAccess(kOcspUrl).validFor(1h).signWith(
          ca.cert, ca.key, key);
  CHECK(ocspOnly.ocspUrls() == Strings{kOcspUrl});
  CHECK(ocspOnly.caIssuersUrls().empty());
  CHECK(ocspOnly.crlDistributionPoints().empty());
  pki::Certificate issuersOnly = pki::CertificateBuilder()
                                     .commonName("i")
                                     .authorityInfoAccess("", kCaIssuersUrl)
                                     .validFor(1h)
                                     .signWith(ca.cert, ca.key, key);
  CHECK(issuersOnly.ocspUrls().empty());
  CHECK(issuersOnly.caIssuersUrls() == Strings{kCaIssuersUrl});
}

TEST_CASE("pki: an OCSP responder certificate carries id-pkix-ocsp-nocheck", "[pki]") {
  ScratchDir dir;
  Ca ca;
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  pki::CertificateBuilder builder;
  builder.commonName("OCSP Responder")
      .keyUsage(KeyUsage::DigitalSignature)
      .extendedKeyUsage({"OCSPSigning"})
      .ocspNoCheck()
      .validFor(24h);
  pki::Certificate responder = builder.signWith(ca.cert, ca.key, key);

  CHECK(responder.hasOcspNoCheck());
  CHECK_FALSE(isCritical(responder, NID_id_pkix_OCSP_noCheck));
  CHECK(responder.extendedKeyUsageNames() == Strings{"OCSPSigning"});
  CHECK(responder.keyUsageNames() == Strings{"digitalSignature"});
  CHECK(X509_get_extended_key_usage(responder.get()) == XKU_OCSP_SIGN);
  const std::string text = opensslText(dir, responder);
  CHECK_THAT(text, Catch::Contains("OCSP No Check") && Catch::Contains("OCSP Signing"));

  CHECK_FALSE(builder.ocspNoCheck(false).signWith(ca.cert, ca.key, key).hasOcspNoCheck());
  CHECK_FALSE(ca.cert.hasOcspNoCheck());
}

TEST_CASE("pki: default key usage is unchanged and explicit key usage replaces it", "[pki]") {
  Ca ca;
  CHECK(ca.cert.keyUsageNames() == Strings{"keyCertSign", "cRLSign"});
  CHECK(ca.cert.extendedKeyUsageNames().empty());
  CHECK(ca.cert.ocspUrls().empty());
  CHECK(ca.cert.crlDistributionPoints().empty());
  CHECK(ca.cert.keyAlgorithm() == "ECDSA");
  CHECK(ca.cert.keyBits() == 256);

  pki::PrivateKey rsa = pki::PrivateKey::generateRsa(2048);
  pki::Certificate rsaLeaf =
      pki::CertificateBuilder().commonName("rsa").validFor(1h).signWith(ca.cert, ca.key, rsa);
  CHECK(rsaLeaf.keyUsageNames() == Strings{"digitalSignature", "keyEncipherment"});
  CHECK(rsaLeaf.keyAlgorithm() == "RSA");
  CHECK(rsaLeaf.keyBits() == 2048);

  pki::PrivateKey ed = pki::PrivateKey::generateEd25519();
  pki::Certificate edLeaf =
      pki::CertificateBuilder().commonName("ed").validFor(1h).signWith(ca.cert, ca.key, ed);
  CHECK(edLeaf.keyUsageNames() == Strings{"digitalSignature"});
  CHECK(edLeaf.keyAlgorithm() == "Ed25519");
  CHECK(edLeaf.keyBits() == 256);

  // Explicit bits, all nine of them, read back in RFC 5280 order.
  KeyUsage all = KeyUsage::DecipherOnly | KeyUsage::DigitalSignature;
  all |= KeyUsage::ContentCommitment | KeyUsage::KeyEncipherment | KeyUsage::DataEncipherment |
         KeyUsage::KeyAgreement | KeyUsage::KeyCertSign | KeyUsage::CrlSign |
         KeyUsage::EncipherOnly;
  pki::Certificate everything =
      pki::CertificateBuilder().commonName("all").ca(true).keyUsage(all).validFor(1h).signWith(
          ca.cert, ca.key, rsa);
  CHECK(everything.keyUsageNames() ==
        Strings{"digitalSignature", "contentCommitment", "keyEncipherment", "dataEncipherment",
                "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"});
  CHECK(X509_get_key_usage(everything.get()) ==
        (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION | KU_KEY_ENCIPHERMENT | KU_DATA_ENCIPHERMENT |
         KU_KEY_AGREEMENT | KU_KEY_CERT_SIGN | KU_CRL_SIGN | KU_ENCIPHER_ONLY | KU_DECIPHER_ONLY));

  // keyAgreement alone for an EC leaf (ECDH), overriding the CA profile bits.
  pki::Certificate ecdh = pki::CertificateBuilder()
                              .commonName("ecdh")
                              .keyUsage(KeyUsage::KeyAgreement)
                              .validFor(1h)
                              .signWith(ca.cert, ca.key, pki::PrivateKey::generateEcP256());
  CHECK(ecdh.keyUsageNames() == Strings{"keyAgreement"});
}

TEST_CASE("pki: extendedKeyUsage names, OIDs and order", "[pki]") {
  Ca ca;
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  auto eku = [&](pki::CertificateBuilder& b) {
    return b.commonName("e").validFor(1h).signWith(ca.cert, ca.key, key).extendedKeyUsageNames();
  };
  pki::CertificateBuilder b;
  b.extendedKeyUsage(
      {"codeSigning", "timeStamping", "1.3.6.1.4.1.55555.7", "1.3.6.1.5.5.7.3.4", "codeSigning"});
  // A known OID reads back by name; an unknown one as dotted text.
  CHECK(eku(b) == Strings{"codeSigning", "timeStamping", "1.3.6.1.4.1.55555.7", "emailProtection"});
  b.serverAuth().clientAuth().serverAuth(false);
  CHECK(eku(b) == Strings{"codeSigning", "timeStamping", "1.3.6.1.4.1.55555.7", "emailProtection",
                          "clientAuth"});
  // A refused list leaves the previous one in place.
  CHECK_THROWS_AS(b.extendedKeyUsage({"serverAuth", "bogus"}), pki::PkiError);
  CHECK(eku(b).size() == 5);
  // An OID OpenSSL names and that name are one purpose.
  b.extendedKeyUsage({"serverAuth", "1.3.6.1.5.5.7.3.1"});
  CHECK(eku(b) == Strings{"serverAuth"});
  b.extendedKeyUsage({});
  CHECK(eku(b).empty());
  CHECK(X509_get_ext_by_NID(b.signWith(ca.cert, ca.key, key).get(), NID_ext_key_usage, -1) < 0);
}

TEST_CASE("pki: a critical timeStamping EKU makes a certificate openssl accepts for a TSA",
          "[pki]") {
  Ca ca;
  ScratchDir dir;
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  pki::CertificateBuilder b;
  b.commonName("tsa")
      .validFor(1h)
      .keyUsage(KeyUsage::DigitalSignature)
      .extendedKeyUsage({"timeStamping"});
  const pki::Certificate plain = b.signWith(ca.cert, ca.key, key);
  CHECK_FALSE(isCritical(plain, NID_ext_key_usage));
  CHECK(opensslVerify(dir, ca.cert, plain, {"-purpose", "timestampsign"}) != 0);

  const pki::Certificate critical = b.extendedKeyUsageCritical().signWith(ca.cert, ca.key, key);
  CHECK(isCritical(critical, NID_ext_key_usage));
  CHECK(critical.extendedKeyUsageNames() == Strings{"timeStamping"});
  CHECK(opensslVerify(dir, ca.cert, critical, {"-purpose", "timestampsign"}) == 0);
  CHECK_FALSE(isCritical(b.extendedKeyUsageCritical(false).signWith(ca.cert, ca.key, key),
                         NID_ext_key_usage));
}

TEST_CASE("pki: certificate extension setters refuse bad input", "[pki]") {
  pki::CertificateBuilder b;
  CHECK_THROWS_AS(b.keyUsage(static_cast<KeyUsage>(0)), pki::PkiError);
  CHECK_THROWS_AS(b.keyUsage(static_cast<KeyUsage>(1U << 9)), pki::PkiError);
  CHECK_THROWS_AS(b.extendedKeyUsage({"serverauth"}), pki::PkiError);  // names are exact
  CHECK_THROWS_AS(b.extendedKeyUsage({"commonName"}), pki::PkiError);  // an OID, not a purpose
  CHECK_THROWS_AS(b.extendedKeyUsage({"1..2"}), pki::PkiError);
  CHECK_THROWS_AS(b.extendedKeyUsage({"1.2."}), pki::PkiError);
  CHECK_THROWS_AS(b.extendedKeyUsage({"serverAuth,DNS:x"}), pki::PkiError);
  CHECK_THROWS_AS(b.authorityInfoAccess("", ""), pki::PkiError);
  CHECK_THROWS_AS(b.authorityInfoAccess("not a url"), pki::PkiError);
  CHECK_THROWS_AS(b.authorityInfoAccess(kOcspUrl, "no-scheme"), pki::PkiError);
  CHECK_THROWS_AS(b.crlDistributionPoint(""), pki::PkiError);
  CHECK_THROWS_AS(b.crlDistributionPoint("http://a b/crl"), pki::PkiError);
  CHECK_THROWS_AS(b.emailAddress("alice"), pki::PkiError);
  CHECK_THROWS_AS(b.emailAddress("alice@"), pki::PkiError);
  CHECK_THROWS_AS(b.emailAddress("@example.test"), pki::PkiError);
  CHECK_THROWS_AS(b.uri("example.test/path"), pki::PkiError);
  CHECK_THROWS_AS(b.uri(""), pki::PkiError);

  // Names parsed from a requester are validated when merged in, all or none.
  pki::GeneralNamesPtr raw(sk_GENERAL_NAME_new_null());
  auto push = [&raw](int type, std::string_view value) {
    ASN1_IA5STRING* str = ASN1_IA5STRING_new();
    REQUIRE(ASN1_STRING_set(str, value.data(), static_cast<int>(value.size())) == 1);
    GENERAL_NAME* gn = GENERAL_NAME_new();
    GENERAL_NAME_set0_value(gn, type, str);
    REQUIRE(sk_GENERAL_NAME_push(raw.get(), gn) > 0);
  };
  push(GEN_DNS, "Fine.Example.test");
  push(GEN_URI, "spiffe://example.test/x");
  pki::SubjectAltNames parsed = pki::SubjectAltNames::fromGeneralNames(raw.get());
  CHECK(parsed.dnsNames() == Strings{"Fine.Example.test"});  // reported as sent
  pki::SubjectAltNames target;
  target.merge(parsed);
  CHECK(target.dnsNames() == Strings{"fine.example.test"});  // issued canonical
  push(GEN_EMAIL, "not an email");
  parsed = pki::SubjectAltNames::fromGeneralNames(raw.get());
  CHECK(parsed.emailAddresses() == Strings{"not an email"});
  pki::SubjectAltNames before;
  before.addDnsName("kept.example.test");
  pki::SubjectAltNames after = before;
  CHECK_THROWS_AS(after.merge(parsed), pki::PkiError);
  CHECK(after == before);
  CHECK_THROWS_AS(pki::CertificateBuilder().subjectAltNames(parsed), pki::PkiError);

  // An email or URI alone is a subject: the SAN goes critical.
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  pki::Certificate emailOnly =
      pki::CertificateBuilder().emailAddress("only@example.test").validFor(1h).selfSign(key);
  CHECK(emailOnly.subjectString().empty());
  CHECK(emailOnly.emailAddresses() == Strings{"only@example.test"});
  CHECK(isCritical(emailOnly, NID_subject_alt_name));
}

TEST_CASE("pki: a CSR made by openssl req is certified and verifies", "[pki]") {
  ScratchDir dir;
  Ca ca;
  const std::string keyFile = dir.file("k.pem", "");
  const std::string csrFile = dir.file("r.csr", "");
  auto made = runProcess({"openssl", "req", "-new", "-nodes", "-newkey", "ed25519", "-keyout",
                          keyFile, "-out", csrFile, "-subj", "/CN=cli.example.test", "-addext",
                          "subjectAltName=DNS:cli.example.test,URI:spiffe://example.test/cli"});
  REQUIRE(made.exitCode == 0);
  std::ifstream in(csrFile);
  pki::Csr csr = pki::Csr::fromPem(std::string(std::istreambuf_iterator<char>(in), {}));
  REQUIRE(csr.verifySignature());

  pki::Certificate leaf = pki::CertificateBuilder()
                              .commonName(csr.subjectCommonName())
                              .subjectAltNames(csr.subjectAltNames())
                              .serverAuth()
                              .validFor(1h)
                              .signWith(ca.cert, ca.key, csr);
  CHECK(leaf.keyAlgorithm() == "Ed25519");
  CHECK(leaf.publicKeyPem() == csr.publicKeyPem());
  CHECK(leaf.dnsNames() == Strings{"cli.example.test"});
  CHECK(leaf.uris() == Strings{"spiffe://example.test/cli"});
  CHECK(opensslVerify(dir, ca.cert, leaf, {"-purpose", "sslserver"}) == 0);
  // The certificate and the key openssl made belong together.
  auto x509Pub = runProcess(
      {"openssl", "x509", "-in", dir.file("leaf.pem", leaf.toPem()), "-noout", "-pubkey"});
  auto keyPub = runProcess({"openssl", "pkey", "-in", keyFile, "-pubout"});
  REQUIRE(x509Pub.exitCode == 0);
  REQUIRE(keyPub.exitCode == 0);
  CHECK(x509Pub.output == keyPub.output);
}
