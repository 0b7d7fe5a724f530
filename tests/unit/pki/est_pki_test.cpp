// The sdk/pki pieces the EST server added: the key envelope (opened here
// with OpenSSL's own CMS_decrypt), client-certificate trust stores, CSR
// re-keying and the challengePassword attribute.
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include <unistd.h>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/csr_builder.h"
#include "sdk/pki/csr_challenge_password.h"
#include "sdk/pki/csr_rekey.h"
#include "sdk/pki/key_envelope.h"
#include "sdk/pki/memory_bio.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/private_key.h"
#include "sdk/pki/trust_store.h"

namespace pki = certctl::sdk::pki;
namespace fs = std::filesystem;

namespace {

pki::Certificate makeCa(const pki::PrivateKey& key, const std::string& cn) {
  return pki::CertificateBuilder()
      .commonName(cn)
      .ca(true)
      .validFor(std::chrono::hours(1))
      .selfSign(key);
}

}  // namespace

TEST_CASE("key envelope: the PKCS#8 key opens with the recipient's RSA key", "[pki][est]") {
  auto recipient = pki::PrivateKey::generateRsa(2048);
  auto generated = pki::PrivateKey::generateEcP256();
  std::string der = pki::envelopePrivateKey(generated, recipient.get());

  auto bio = pki::memoryBioFrom(der);
  CMS_ContentInfo* cms = d2i_CMS_bio(bio.get(), nullptr);
  REQUIRE(cms != nullptr);
  CHECK(OBJ_obj2nid(CMS_get0_type(cms)) == NID_pkcs7_enveloped);
  auto out = pki::newMemoryBio();
  REQUIRE(CMS_decrypt(cms, recipient.get(), nullptr, nullptr, out.get(), CMS_BINARY) == 1);
  CMS_ContentInfo_free(cms);
  std::string pkcs8 = pki::bioToString(out.get());
  const auto* p = reinterpret_cast<const unsigned char*>(pkcs8.data());
  EVP_PKEY* opened = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(pkcs8.size()));
  REQUIRE(opened != nullptr);
  CHECK(EVP_PKEY_eq(opened, generated.get()) == 1);
  EVP_PKEY_free(opened);

  // Another key cannot open it; a non-RSA recipient is refused.
  auto other = pki::PrivateKey::generateRsa(2048);
  auto bio2 = pki::memoryBioFrom(der);
  CMS_ContentInfo* again = d2i_CMS_bio(bio2.get(), nullptr);
  auto sink = pki::newMemoryBio();
  // Without the recipient's certificate OpenSSL does not fail outright on
  // the wrong key (its padding-oracle defence decrypts with a random key),
  // and random bytes pass the CBC padding check about once in 256 runs:
  // what comes out then is garbage, never the key.
  int wrongKey = CMS_decrypt(again, other.get(), nullptr, nullptr, sink.get(), CMS_BINARY);
  CHECK((wrongKey != 1 || pki::bioToString(sink.get()) != pkcs8));
  CMS_ContentInfo_free(again);
  ERR_clear_error();
  CHECK_THROWS_AS(pki::envelopePrivateKey(generated, generated.get()), pki::PkiError);
}

TEST_CASE("trust store: a client certificate chains only to its own bundle", "[pki][est]") {
  auto caKeyA = pki::PrivateKey::generateEcP256();
  auto caKeyB = pki::PrivateKey::generateEcP256();
  auto caA = makeCa(caKeyA, "CA A");
  auto caB = makeCa(caKeyB, "CA B");
  auto leafKey = pki::PrivateKey::generateEcP256();
  auto leaf = pki::CertificateBuilder()
                  .commonName("dev")
                  .validFor(std::chrono::hours(1))
                  .signWith(caA, caKeyA, leafKey);
  fs::path dir = fs::temp_directory_path() / ("est-trust-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "a.pem") << caA.toPem();
  std::ofstream(dir / "b.pem") << caB.toPem();
  std::ofstream(dir / "empty.pem") << "";
  auto expired = pki::CertificateBuilder()
                     .commonName("old CA")
                     .ca(true)
                     .notBefore(std::chrono::system_clock::now() - std::chrono::hours(2))
                     .notAfter(std::chrono::system_clock::now() - std::chrono::hours(1))
                     .selfSign(caKeyB);
  std::ofstream(dir / "expired.pem") << caA.toPem() << expired.toPem();
  auto storeA = pki::TrustStore::fromPemFile(dir / "a.pem");
  auto storeB = pki::TrustStore::fromPemFile(dir / "b.pem");
  CHECK(storeA.verify(leaf).empty());
  CHECK_FALSE(storeB.verify(leaf).empty());
  CHECK(storeA.anchors().size() == 1);
  CHECK_THROWS_AS(pki::TrustStore::fromPemFile(dir / "empty.pem"), pki::PkiError);
  CHECK_THROWS_AS(pki::TrustStore::fromPemFile(dir / "missing.pem"), pki::PkiError);
  CHECK_THROWS_WITH(pki::TrustStore::fromPemFile(dir / "expired.pem"),
                    Catch::Contains("old CA has expired"));
  fs::remove_all(dir);
}

TEST_CASE("CSR re-key and challengePassword", "[pki][est]") {
  auto deviceKey = pki::PrivateKey::generateRsa(2048);
  auto csr = pki::CsrBuilder().commonName("dev").dnsName("dev.example").sign(deviceKey);
  CHECK_FALSE(pki::csrChallengePassword(csr).has_value());

  auto serverKey = pki::PrivateKey::generateEcP384();
  auto rekeyed = pki::rekeyCsr(csr, serverKey);
  CHECK(rekeyed.verifySignature());
  CHECK(rekeyed.subjectString() == csr.subjectString());
  CHECK(rekeyed.subjectAltNames() == csr.subjectAltNames());
  CHECK(rekeyed.keyAlgorithm() == "ECDSA");
  CHECK(rekeyed.keyBits() == 384);

  X509_REQ* req = X509_REQ_dup(csr.get());
  REQUIRE(X509_REQ_add1_attr_by_NID(req, NID_pkcs9_challengePassword, MBSTRING_UTF8,
                                    reinterpret_cast<const unsigned char*>("c2VjcmV0"), -1) == 1);
  REQUIRE(X509_REQ_sign(req, deviceKey.get(), EVP_sha256()) > 0);
  pki::Csr withPassword{pki::X509ReqPtr(req)};
  CHECK(pki::csrChallengePassword(withPassword) == std::optional<std::string>("c2VjcmV0"));
}
