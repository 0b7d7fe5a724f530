#include "sdk/pki/private_key.h"

#include <openssl/pem.h>

#include <catch2/catch.hpp>

#include "sdk/pki/memory_bio.h"
#include "sdk/pki/openssl_error.h"

namespace pki = certctl::sdk::pki;

namespace {

std::string traditionalPem(const pki::PrivateKey& key) {
  pki::BioPtr bio = pki::newMemoryBio();
  REQUIRE(PEM_write_bio_PrivateKey_traditional(bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                               nullptr) == 1);
  return pki::bioToString(bio.get());
}

std::string encryptedPkcs8Pem(const pki::PrivateKey& key, const std::string& pass) {
  pki::BioPtr bio = pki::newMemoryBio();
  REQUIRE(PEM_write_bio_PKCS8PrivateKey(bio.get(), key.get(), EVP_aes_256_cbc(), pass.data(),
                                        static_cast<int>(pass.size()), nullptr, nullptr) == 1);
  return pki::bioToString(bio.get());
}

}  // namespace

TEST_CASE("pki: key generation and PKCS#8 round trip", "[pki]") {
  struct Case {
    const char* algorithm;
    int bits;
  };
  auto [algorithm, bits] =
      GENERATE(Case{"ECDSA", 256}, Case{"ECDSA", 384}, Case{"RSA", 2048}, Case{"Ed25519", 256});
  CAPTURE(algorithm, bits);
  pki::PrivateKey key =
      std::string(algorithm) == "ECDSA"
          ? (bits == 384 ? pki::PrivateKey::generateEcP384() : pki::PrivateKey::generateEcP256())
      : std::string(algorithm) == "RSA" ? pki::PrivateKey::generateRsa(2048)
                                        : pki::PrivateKey::generateEd25519();
  CHECK(key.algorithm() == algorithm);
  CHECK(key.bits() == bits);

  const std::string pem = key.toPkcs8Pem();
  CHECK(pem.rfind("-----BEGIN PRIVATE KEY-----\n", 0) == 0);
  pki::PrivateKey back = pki::PrivateKey::fromPem(pem);
  CHECK(back.algorithm() == algorithm);
  CHECK(EVP_PKEY_eq(key.get(), back.get()) == 1);
  CHECK(back.toPkcs8Pem() == pem);
  CHECK(back.publicKeyPem() == key.publicKeyPem());
  CHECK(key.publicKeyPem().rfind("-----BEGIN PUBLIC KEY-----\n", 0) == 0);

  // Traditional ("BEGIN EC/RSA PRIVATE KEY") encodings parse to the same key.
  if (std::string(algorithm) != "Ed25519") {
    const std::string legacy = traditionalPem(key);
    CHECK(legacy.find("-----BEGIN PRIVATE KEY-----") == std::string::npos);
    CHECK(EVP_PKEY_eq(pki::PrivateKey::fromPem(legacy).get(), key.get()) == 1);
  }
}

TEST_CASE("pki: two generated keys differ", "[pki]") {
  CHECK(pki::PrivateKey::generateEcP256().toPkcs8Pem() !=
        pki::PrivateKey::generateEcP256().toPkcs8Pem());
}

TEST_CASE("pki: encrypted PKCS#8 needs the passphrase and never prompts", "[pki]") {
  pki::PrivateKey key = pki::PrivateKey::generateEcP256();
  const std::string pem = encryptedPkcs8Pem(key, "s3cret");
  CHECK(pem.find("ENCRYPTED PRIVATE KEY") != std::string::npos);
  CHECK_THROWS_AS(pki::PrivateKey::fromPem(pem), pki::PkiError);
  CHECK_THROWS_AS(pki::PrivateKey::fromPem(pem, "wrong"), pki::PkiError);
  CHECK(EVP_PKEY_eq(pki::PrivateKey::fromPem(pem, "s3cret").get(), key.get()) == 1);
}

TEST_CASE("pki: bad key input is a PkiError carrying OpenSSL's reason", "[pki]") {
  CHECK_THROWS_AS(pki::PrivateKey::fromPem(""), pki::PkiError);
  CHECK_THROWS_AS(pki::PrivateKey::fromPem("-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                           "-----END PRIVATE KEY-----\n"),
                  pki::PkiError);
  try {
    pki::PrivateKey::fromPem("garbage");
    FAIL("no exception");
  } catch (const pki::PkiError& e) {
    CHECK_THAT(e.what(), Catch::Contains("cannot parse private key PEM"));
    CHECK_FALSE(e.opensslErrors().empty());
  }
  CHECK_THROWS_AS(pki::PrivateKey::generateRsa(1024), pki::PkiError);
  CHECK_THROWS_AS(pki::PrivateKey(pki::EvpPkeyPtr()), pki::PkiError);
}
