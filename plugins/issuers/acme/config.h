#pragma once

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace certctl::acme {

enum class ChallengeType { Http01, Dns01, DnsPersist01 };

// External Account Binding credentials (RFC 8555 section 7.3.4).
struct EabCredentials {
  std::string kid;
  std::string hmacKey;  // decoded key bytes; never logged
};

// The ACME issuer's configuration (docs/acme-issuer.md): the stored fields
// and what the host injects under "host".
struct AcmeConfig {
  std::string directoryUrl;
  std::string email;  // "" = no contact
  ChallengeType challengeType = ChallengeType::Http01;
  std::string httpAddress = "0.0.0.0";  // where the http-01 responder listens
  int httpPort = 80;
  std::optional<EabCredentials> eab;
  std::string dnsPresentHook;  // Lua hook names (dns-01, dns-persist-01)
  std::string dnsCleanupHook;
  std::string dnsPersistIssuerDomain;  // dns-persist-01: which CA name to use ("" = the CA's first)
  std::string profile;                 // "" = the CA's default
  bool ariEnabled = false;
  std::string caBundlePath;  // "" = the system's CAs
  std::chrono::seconds pollTimeout{300};

  // Injected by the host; absent in validate_config.
  std::filesystem::path stateDir;

  // Reads and checks every field; throws sdk::PluginError(InvalidConfig)
  // whose message starts with the field name.
  static AcmeConfig parse(const nlohmann::json& config);
};

}  // namespace certctl::acme
