#pragma once

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace certctl::local_ca {

// The issuer's configuration (docs/local-ca.md): the stored, user-settable
// fields, and what the host injects under "host" when it makes an instance.
struct LocalCaConfig {
  // Stored fields.
  std::string caCommonName = "CertCtl Local CA";
  int validityDays = 90;
  std::string caCertPath;  // both set: sub-CA mode; neither: self-signed mode
  std::string caKeyPath;
  std::string caKeyAlgorithm = "ECDSA-P256";  // self-signed mode only
  std::chrono::seconds ocspRotationGrace{7 * 24 * 3600};
  int ocspResponderValidityDays = 30;

  // Injected by the host; absent in validate_config.
  std::string issuerId;            // "iss-local"
  std::filesystem::path stateDir;  // absolute, owned by this issuer
  std::string publicUrl;           // "https://host:port", no trailing '/'; "" = no AIA/CRLDP

  bool subCa() const { return !caCertPath.empty(); }
  // "{public_url}/.well-known/pki/ocsp/{issuer_id}", "" without both parts.
  std::string ocspUrl() const;
  // "{public_url}/.well-known/pki/crl/{issuer_id}", "" without both parts.
  std::string crlUrl() const;

  // Reads and range-checks every field; unknown fields are ignored. Throws
  // sdk::PluginError(InvalidConfig) naming the offending field.
  static LocalCaConfig parse(const nlohmann::json& config);
};

// The key algorithms a self-signed CA can be created with, as ca_key_algorithm spells them.
const std::vector<std::string>& supportedCaKeyAlgorithms();

}  // namespace certctl::local_ca
