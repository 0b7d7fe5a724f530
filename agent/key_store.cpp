#include "agent/key_store.h"

#include <openssl/crypto.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "agent/agent_config.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/secure_file.h"

namespace certctl::agent {

namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;

namespace {

constexpr auto kPublicMode =
    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;

std::optional<std::string> readText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// The key in `path` when it is the one `publicKeyPem` belongs to.
std::optional<pki::PrivateKey> matchingKey(const fs::path& path, const std::string& publicKeyPem) {
  auto pem = readText(path);
  if (!pem) return std::nullopt;
  try {
    pki::PrivateKey key = pki::PrivateKey::fromPem(*pem);
    if (key.publicKeyPem() == publicKeyPem) return key;
  } catch (const std::exception&) {
    // An unreadable key file is as good as none; it is replaced on the next CSR.
  }
  return std::nullopt;
}

}  // namespace

pki::PrivateKey generateKey(const std::string& algorithm, int bits) {
  if (algorithm == "RSA") return pki::PrivateKey::generateRsa(bits < 2048 ? 2048 : bits);
  if (algorithm == "Ed25519") return pki::PrivateKey::generateEd25519();
  if (algorithm == "ECDSA" || algorithm.empty()) {
    if (bits == 384) return pki::PrivateKey::generateEcP384();
    if (bits == 256 || bits == 0) return pki::PrivateKey::generateEcP256();
    throw std::invalid_argument("unsupported ECDSA key size " + std::to_string(bits));
  }
  throw std::invalid_argument("unsupported key algorithm " + algorithm);
}

KeyStore::KeyStore(fs::path dir) : dir_(std::move(dir)) {
  fs::create_directories(dir_);
  fs::permissions(dir_, fs::perms::owner_all, fs::perm_options::replace);
}

fs::path KeyStore::file(const std::string& certificateId, const char* suffix) const {
  // Ids come from the server: refuse anything that could leave the directory.
  if (!isValidId(certificateId))
    throw std::invalid_argument("not a valid certificate id: " + certificateId);
  return dir_ / (certificateId + suffix);
}

fs::path KeyStore::keyPath(const std::string& id) const { return file(id, ".key"); }
fs::path KeyStore::pendingKeyPath(const std::string& id) const { return file(id, ".key.new"); }
fs::path KeyStore::certPath(const std::string& id) const { return file(id, ".crt"); }
fs::path KeyStore::chainPath(const std::string& id) const { return file(id, ".chain.crt"); }

std::optional<std::string> KeyStore::agentId() const {
  auto text = readText(dir_ / "agent-id");
  if (!text) return std::nullopt;
  std::string id = *text;
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r' || id.back() == ' ')) id.pop_back();
  if (!isValidId(id)) return std::nullopt;
  return id;
}

void KeyStore::saveAgentId(const std::string& id) {
  pki::writeFileAtomic(dir_ / "agent-id", id + "\n");
}

pki::PrivateKey KeyStore::pendingKey(const std::string& certificateId, const std::string& algorithm,
                                     int bits) {
  fs::path path = pendingKeyPath(certificateId);
  if (auto pem = readText(path)) {
    try {
      pki::PrivateKey key = pki::PrivateKey::fromPem(*pem);
      if (key.algorithm() == algorithm && (algorithm == "Ed25519" || key.bits() == bits))
        return key;
    } catch (const std::exception&) {
    }
  }
  pki::PrivateKey key = generateKey(algorithm, bits);
  std::string pem = key.toPkcs8Pem();
  pki::writeFileAtomic(path, pem);  // 0600 from the moment it exists
  OPENSSL_cleanse(pem.data(), pem.size());
  return key;
}

std::optional<pki::PrivateKey> KeyStore::keyFor(const std::string& certificateId,
                                                const std::string& certPem) {
  std::string publicKey = pki::Certificate::fromPem(certPem).publicKeyPem();
  if (auto key = matchingKey(keyPath(certificateId), publicKey)) return key;
  if (auto key = matchingKey(pendingKeyPath(certificateId), publicKey)) {
    fs::rename(pendingKeyPath(certificateId), keyPath(certificateId));
    return key;
  }
  return std::nullopt;
}

void KeyStore::storeCertificate(const std::string& certificateId, const std::string& certPem,
                                const std::string& chainPem) {
  if (!keyFor(certificateId, certPem))
    throw std::runtime_error("no local private key matches the certificate issued for " +
                             certificateId);
  pki::writeFileAtomic(certPath(certificateId), certPem, kPublicMode);
  pki::writeFileAtomic(chainPath(certificateId), chainPem, kPublicMode);
}

}  // namespace certctl::agent
