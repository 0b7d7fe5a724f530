#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>

namespace certctl::sdk::deploy {

// The certificate, chain and key of a deploy request (target_v1.h), checked
// before any file is touched: the certificate and chain parse, the key
// parses (unencrypted) and belongs to the certificate.
struct CertificateMaterial {
  std::string certPem;   // the leaf, one PEM block
  std::string chainPem;  // the intermediates in order, PEM blocks ("" when none)
  std::string keyPem;    // the private key as given (newline-terminated), "" if absent
  std::string fingerprintSha256;
  std::string serial;
  std::string subject;
  std::chrono::system_clock::time_point notAfter;

  // From {"cert_pem", "chain_pem", "key_pem"}. Extra certificates after the
  // leaf in cert_pem are treated as the start of the chain. Throws
  // DeployError(Rejected) naming the field.
  static CertificateMaterial fromRequest(const nlohmann::json& request, bool keyRequired = true);

  std::string fullChainPem() const { return certPem + chainPem; }
  // What HAProxy wants in one file: certificate, chain, key.
  std::string combinedPem() const { return certPem + chainPem + keyPem; }
};

// Wipes the key from memory.
void wipe(CertificateMaterial& material);

}  // namespace certctl::sdk::deploy
