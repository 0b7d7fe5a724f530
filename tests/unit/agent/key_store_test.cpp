// The agent's key directory: 0700, keys 0600 from the moment they exist, a
// new key replaces the served one only once its certificate has arrived, and
// server-supplied ids cannot name files outside the directory.
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "agent/key_store.h"
#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/csr_builder.h"
#include "tests/support/test_database.h"

using namespace certctl::agent;
namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;

namespace {

unsigned mode(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// A certificate for `key`'s public half, signed by a throwaway CA.
std::string certificateFor(const pki::PrivateKey& key) {
  static pki::PrivateKey caKey = pki::PrivateKey::generateEcP256();
  static pki::Certificate ca = pki::CertificateBuilder()
                                   .commonName("key store test CA")
                                   .ca(true)
                                   .validFor(std::chrono::hours(1))
                                   .selfSign(caKey);
  return pki::CertificateBuilder()
      .commonName("leaf")
      .dnsName("leaf.example.com")
      .validFor(std::chrono::hours(1))
      .signWith(ca, caKey, key)
      .toPem();
}

}  // namespace

TEST_CASE("key store: directory 0700, agent id persisted") {
  certctl::testing::TempDir temp;
  fs::path dir = temp.path() / "keys";
  KeyStore store(dir);
  CHECK(mode(dir) == 0700);
  CHECK_FALSE(store.agentId());
  store.saveAgentId("a-edge-1");
  CHECK(store.agentId() == "a-edge-1");
  CHECK(mode(dir / "agent-id") == 0600);
  KeyStore again(dir);
  CHECK(again.agentId() == "a-edge-1");
  // A tampered id file is ignored rather than trusted.
  std::ofstream(dir / "agent-id") << "../../x\n";
  CHECK_FALSE(store.agentId());
}

TEST_CASE("key store: pending key, certificate, promotion") {
  certctl::testing::TempDir temp;
  KeyStore store(temp.path() / "keys");
  const std::string id = "mc-web-1";

  pki::PrivateKey first = store.pendingKey(id, "ECDSA", 256);
  CHECK(first.algorithm() == "ECDSA");
  CHECK(first.bits() == 256);
  REQUIRE(fs::exists(store.pendingKeyPath(id)));
  CHECK(mode(store.pendingKeyPath(id)) == 0600);
  CHECK_FALSE(fs::exists(store.keyPath(id)));
  // A retry (the CSR answer was lost) signs with the same key.
  CHECK(store.pendingKey(id, "ECDSA", 256).publicKeyPem() == first.publicKeyPem());
  // Another algorithm asked for: a new key.
  pki::PrivateKey rsa = store.pendingKey(id, "RSA", 2048);
  CHECK(rsa.algorithm() == "RSA");
  CHECK(rsa.publicKeyPem() != first.publicKeyPem());
  pki::PrivateKey key = store.pendingKey(id, "ECDSA", 384);
  CHECK(key.bits() == 384);

  // A certificate for some other key is refused and changes nothing.
  std::string foreign = certificateFor(pki::PrivateKey::generateEcP256());
  CHECK_THROWS(store.storeCertificate(id, foreign, ""));
  CHECK_FALSE(fs::exists(store.certPath(id)));
  CHECK_FALSE(store.keyFor(id, foreign));

  std::string cert = certificateFor(key);
  store.storeCertificate(id, cert, "chain\n");
  CHECK(slurp(store.certPath(id)) == cert);
  CHECK(mode(store.certPath(id)) == 0644);
  CHECK(mode(store.keyPath(id)) == 0600);
  CHECK_FALSE(fs::exists(store.pendingKeyPath(id)));
  auto found = store.keyFor(id, cert);
  REQUIRE(found);
  CHECK(found->publicKeyPem() == key.publicKeyPem());

  // Renewal: the new key waits next to the served one until its certificate comes.
  pki::PrivateKey next = store.pendingKey(id, "ECDSA", 256);
  CHECK(store.keyFor(id, cert)->publicKeyPem() == key.publicKeyPem());
  std::string renewed = certificateFor(next);
  REQUIRE(store.keyFor(id, renewed));  // the pending key, promoted
  CHECK(pki::PrivateKey::fromPem(slurp(store.keyPath(id))).publicKeyPem() == next.publicKeyPem());
}

TEST_CASE("key store: ids cannot leave the directory; unsupported keys are refused") {
  certctl::testing::TempDir temp;
  KeyStore store(temp.path() / "keys");
  CHECK_THROWS_AS(store.pendingKey("../escape", "ECDSA", 256), std::invalid_argument);
  CHECK_THROWS_AS(store.keyPath("a/b"), std::invalid_argument);
  CHECK_FALSE(fs::exists(temp.path() / "escape.key.new"));
  CHECK_THROWS(generateKey("DSA", 2048));
  CHECK_THROWS(generateKey("ECDSA", 521));
  CHECK(generateKey("Ed25519", 0).algorithm() == "Ed25519");
  CHECK(generateKey("", 0).algorithm() == "ECDSA");
}
