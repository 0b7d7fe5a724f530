#include <openssl/pkcs12.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/pkcs12.h"
#include "sdk/pki/private_key.h"
#include "tests/support/process.h"
#include "tests/support/test_database.h"

namespace pki = certctl::sdk::pki;
namespace fs = std::filesystem;
using certctl::testing::runProcess;
using namespace std::chrono_literals;

namespace {

void writeFile(const fs::path& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  REQUIRE(out.good());
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

struct Chain {
  Chain()
      : rootKey(pki::PrivateKey::generateEcP256()),
        root(pki::CertificateBuilder()
                 .commonName("P12 Root")
                 .validFor(24h)
                 .ca(true)
                 .selfSign(rootKey)),
        leafKey(pki::PrivateKey::generateEcP256()),
        leaf(pki::CertificateBuilder()
                 .commonName("p12.example.test")
                 .validFor(1h)
                 .signWith(root, rootKey, leafKey)) {}
  pki::PrivateKey rootKey;
  pki::Certificate root;
  pki::PrivateKey leafKey;
  pki::Certificate leaf;
};

// The NIDs of every SafeBag, decrypting encrypted safes with `password`.
std::vector<int> bagTypes(const std::string& der, const std::string& password) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  std::unique_ptr<PKCS12, decltype(&PKCS12_free)> p12(
      d2i_PKCS12(nullptr, &p, static_cast<long>(der.size())), PKCS12_free);
  REQUIRE(p12);
  STACK_OF(PKCS7)* safes = PKCS12_unpack_authsafes(p12.get());
  REQUIRE(safes != nullptr);
  std::vector<int> out;
  for (int i = 0; i < sk_PKCS7_num(safes); ++i) {
    PKCS7* safe = sk_PKCS7_value(safes, i);
    STACK_OF(PKCS12_SAFEBAG)* bags = nullptr;
    const int type = OBJ_obj2nid(safe->type);
    if (type == NID_pkcs7_data) {
      bags = PKCS12_unpack_p7data(safe);
    } else if (type == NID_pkcs7_encrypted) {
      bags = PKCS12_unpack_p7encdata(safe, password.c_str(), static_cast<int>(password.size()));
    }
    REQUIRE(bags != nullptr);
    for (int j = 0; j < sk_PKCS12_SAFEBAG_num(bags); ++j) {
      out.push_back(PKCS12_SAFEBAG_get_nid(sk_PKCS12_SAFEBAG_value(bags, j)));
    }
    sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
  }
  sk_PKCS7_pop_free(safes, PKCS7_free);
  return out;
}

}  // namespace

TEST_CASE("pki: password PKCS#12 is read by openssl pkcs12 and holds no key", "[pki]") {
  certctl::testing::TempDir dir;
  Chain c;
  const std::string der = pki::pkcs12CertificatesDer(c.leaf, {c.root}, "s3cret!", "my cert");
  const std::string file = (dir.path() / "export.p12").string();
  writeFile(file, der);

  auto r =
      runProcess({"openssl", "pkcs12", "-info", "-nokeys", "-in", file, "-passin", "pass:s3cret!"});
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  CHECK(contains(r.output, "MAC: sha256"));
  CHECK(contains(r.output, "PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC"));
  CHECK(contains(r.output, "PRF hmacWithSHA256"));
  CHECK(contains(r.output, "friendlyName: my cert"));
  CHECK(contains(r.output, "subject=CN = p12.example.test"));
  CHECK(contains(r.output, "subject=CN = P12 Root"));
  CHECK(contains(r.output, c.leaf.toPem()));
  CHECK(contains(r.output, c.root.toPem()));
  CHECK_FALSE(contains(r.output, "Key bag"));
  CHECK_FALSE(contains(r.output, "Shrouded Keybag"));

  // -nocerts leaves nothing to print: there is no key in the file.
  auto keys = runProcess(
      {"openssl", "pkcs12", "-nocerts", "-nodes", "-in", file, "-passin", "pass:s3cret!"});
  INFO(keys.output);
  CHECK(keys.exitCode == 0);
  CHECK_FALSE(contains(keys.output, "PRIVATE KEY"));
  CHECK(bagTypes(der, "s3cret!") == std::vector<int>{NID_certBag, NID_certBag});

  auto wrong =
      runProcess({"openssl", "pkcs12", "-info", "-nokeys", "-in", file, "-passin", "pass:wrong"});
  INFO(wrong.output);
  CHECK(wrong.exitCode != 0);
  CHECK(contains(wrong.output, "Mac verify error"));
}

TEST_CASE("pki: PKCS#12 without a password has plain certificate bags", "[pki]") {
  certctl::testing::TempDir dir;
  Chain c;
  const std::string der = pki::pkcs12CertificatesDer(c.leaf, {c.root});
  const std::string file = (dir.path() / "plain.p12").string();
  writeFile(file, der);

  auto r = runProcess({"openssl", "pkcs12", "-info", "-nokeys", "-in", file, "-passin", "pass:"});
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  CHECK(contains(r.output, "PKCS7 Data"));
  CHECK_FALSE(contains(r.output, "Encrypted data"));
  CHECK(contains(r.output, "subject=CN = p12.example.test"));
  CHECK(contains(r.output, "subject=CN = P12 Root"));
  CHECK(bagTypes(der, "") == std::vector<int>{NID_certBag, NID_certBag});
}

TEST_CASE("pki: PKCS#12 of a certificate alone", "[pki]") {
  Chain c;
  const std::string der = pki::pkcs12CertificatesDer(c.leaf, {}, "pw");
  CHECK(bagTypes(der, "pw") == std::vector<int>{NID_certBag});
}
