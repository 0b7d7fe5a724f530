#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/pki/pkcs7.h"
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

// leaf, intermediate, root: the order a server sends.
std::vector<pki::Certificate> makeChain() {
  pki::PrivateKey rootKey = pki::PrivateKey::generateEcP256();
  pki::Certificate root =
      pki::CertificateBuilder().commonName("P7 Root").validFor(24h).ca(true).selfSign(rootKey);
  pki::PrivateKey subKey = pki::PrivateKey::generateEcP256();
  pki::Certificate sub = pki::CertificateBuilder()
                             .commonName("P7 Issuing CA")
                             .validFor(24h)
                             .ca(true, 0)
                             .signWith(root, rootKey, subKey);
  pki::PrivateKey leafKey = pki::PrivateKey::generateEcP256();
  pki::Certificate leaf = pki::CertificateBuilder()
                              .commonName("p7.example.test")
                              .validFor(1h)
                              .signWith(sub, subKey, leafKey);
  return {leaf, sub, root};
}

}  // namespace

TEST_CASE("pki: PKCS#7 certs-only is read by openssl pkcs7 in order", "[pki]") {
  certctl::testing::TempDir dir;
  const std::vector<pki::Certificate> chain = makeChain();

  const std::string der = pki::pkcs7CertsOnlyDer(chain);
  writeFile(dir.path() / "chain.p7b", der);
  auto r = runProcess({"openssl", "pkcs7", "-inform", "DER", "-in",
                       (dir.path() / "chain.p7b").string(), "-print_certs", "-noout"});
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  const auto leafAt = r.output.find("subject=CN = p7.example.test");
  const auto subAt = r.output.find("subject=CN = P7 Issuing CA");
  const auto rootAt = r.output.find("subject=CN = P7 Root");
  REQUIRE(leafAt != std::string::npos);
  REQUIRE(subAt != std::string::npos);
  REQUIRE(rootAt != std::string::npos);
  CHECK(leafAt < subAt);
  CHECK(subAt < rootAt);

  // Degenerate SignedData: no signers and no eContent (RFC 7030 4.1.3).
  auto text = runProcess({"openssl", "pkcs7", "-inform", "DER", "-in",
                          (dir.path() / "chain.p7b").string(), "-print", "-noout"});
  INFO(text.output);
  REQUIRE(text.exitCode == 0);
  CHECK(text.output.find("signer_info:\n      <EMPTY>") != std::string::npos);
  CHECK(text.output.find("d.data: <ABSENT>") != std::string::npos);

  const std::vector<pki::Certificate> back = pki::certificatesFromPkcs7Der(der);
  REQUIRE(back.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) CHECK(back[i] == chain[i]);

  const std::string pem = pki::pkcs7CertsOnlyPem(chain);
  CHECK(pem.rfind("-----BEGIN PKCS7-----\n", 0) == 0);
  writeFile(dir.path() / "chain.pem", pem);
  auto pemRead = runProcess(
      {"openssl", "pkcs7", "-in", (dir.path() / "chain.pem").string(), "-print_certs", "-noout"});
  INFO(pemRead.output);
  CHECK(pemRead.exitCode == 0);
  CHECK(pemRead.output.find("subject=CN = P7 Root") != std::string::npos);
}

TEST_CASE("pki: PKCS#7 certs-only refuses empty input and garbage", "[pki]") {
  CHECK_THROWS_AS(pki::pkcs7CertsOnlyDer({}), pki::PkiError);
  CHECK_THROWS_AS(pki::certificatesFromPkcs7Der("garbage"), pki::PkiError);
  const std::string der = pki::pkcs7CertsOnlyDer({makeChain()[0]});
  CHECK(pki::certificatesFromPkcs7Der(der).size() == 1);
  CHECK_THROWS_AS(pki::certificatesFromPkcs7Der(der + std::string(1, '\0')), pki::PkiError);
  CHECK_THROWS_AS(pki::certificatesFromPkcs7Der(der.substr(0, der.size() - 1)), pki::PkiError);
}
