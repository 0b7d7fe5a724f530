#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "sdk/pki/private_key.h"

namespace certctl::agent {

// The agent's local state under CERTCTL_KEY_DIR (made 0700):
//   agent-id                  the id the server knows this agent by
//   <cert_id>.key             private key of the certificate in use (0600)
//   <cert_id>.key.new         key made for a CSR not yet answered (0600)
//   <cert_id>.crt             the issued certificate (0644)
//   <cert_id>.chain.crt       its chain (0644)
// A new key replaces the current one only once a certificate for it has
// arrived, so a lost CSR answer or a failed issuance never strands the
// certificate being served. Private keys never leave this directory except
// into a target's own files.
class KeyStore {
 public:
  // Creates the directory if needed and makes it 0700. Throws on failure.
  explicit KeyStore(std::filesystem::path dir);

  const std::filesystem::path& dir() const { return dir_; }

  std::optional<std::string> agentId() const;
  void saveAgentId(const std::string& id);

  // The key for the next CSR of `certificateId`: the pending one when an
  // earlier attempt left it (same algorithm and size), else a new one,
  // written 0600 before it is used.
  sdk::pki::PrivateKey pendingKey(const std::string& certificateId, const std::string& algorithm,
                                  int bits);
  // Stores an issued certificate: writes it and its chain, and makes the
  // key it belongs to (pending or current) the current key.
  void storeCertificate(const std::string& certificateId, const std::string& certPem,
                        const std::string& chainPem);
  // The local key whose public half `certPem` carries (promoting the
  // pending key when it is that one); nullopt when this agent has none.
  std::optional<sdk::pki::PrivateKey> keyFor(const std::string& certificateId,
                                             const std::string& certPem);

  std::filesystem::path keyPath(const std::string& certificateId) const;
  std::filesystem::path pendingKeyPath(const std::string& certificateId) const;
  std::filesystem::path certPath(const std::string& certificateId) const;
  std::filesystem::path chainPath(const std::string& certificateId) const;

 private:
  std::filesystem::path file(const std::string& certificateId, const char* suffix) const;

  std::filesystem::path dir_;
};

// Makes a private key of `algorithm` ("ECDSA", "RSA", "Ed25519") and size.
sdk::pki::PrivateKey generateKey(const std::string& algorithm, int bits);

}  // namespace certctl::agent
