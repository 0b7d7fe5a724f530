#include "core/config/scep_profile_config.h"

#include <set>

#include "core/config/config.h"
#include "core/config/profile_names.h"
#include "core/domain/ascii_case.h"

namespace certctl::config {

namespace {

using namespace profile_names;

constexpr std::string_view kProfilesVariable = "CERTCTL_SCEP_PROFILES";

struct Suffix {
  std::string_view name;
  std::string_view meaning;
  std::string ScepProfileConfig::*field;  // null: MTLS_ENABLED, a flag
  bool required;
};

const Suffix kSuffixes[] = {
    {"ISSUER_ID", "The issuer that signs this profile's enrollments (required).",
     &ScepProfileConfig::issuerId, true},
    {"PROFILE_ID", "CertificateProfile bound to the enrollments (optional).",
     &ScepProfileConfig::profileId, false},
    {"CHALLENGE_PASSWORD", "Shared secret of the CSR's challengePassword (required).",
     &ScepProfileConfig::challengePassword, true},
    {"RA_CERT_PATH", "PEM certificate of this profile's RA (required).",
     &ScepProfileConfig::raCertPath, true},
    {"RA_KEY_PATH", "PEM key of this profile's RA, mode 0600 (required).",
     &ScepProfileConfig::raKeyPath, true},
    {"MTLS_ENABLED",
     "Also publish /scep-mtls/<pathID>, which needs a client certificate (true/false).", nullptr,
     false},
    {"MTLS_CLIENT_CA_TRUST_BUNDLE_PATH",
     "PEM bundle the client certificates of /scep-mtls/<pathID> must chain to.",
     &ScepProfileConfig::mtlsClientCaTrustBundlePath, false},
};

// Settings of the original product this server does not implement: refused
// by name rather than reported as unknown.
const std::string_view kUnsupportedSuffixes[] = {"INTUNE_"};

}  // namespace

std::string scepProfileVariablesHelp() {
  std::string text;
  for (const Suffix& s : kSuffixes)
    text += "  CERTCTL_SCEP_PROFILE_<NAME>_" + std::string(s.name) + "\n      " +
            std::string(s.meaning) + "\n";
  return text;
}

std::vector<ScepProfileConfig> buildScepProfiles(
    bool scepEnabled, std::string_view profileList,
    const std::map<std::string, std::string>& familyValues) {
  std::vector<ScepProfileConfig> profiles;
  for (auto& listed : listedProfiles(profileList, kProfilesVariable, "")) {
    ScepProfileConfig p;
    p.pathId = std::move(listed.pathId);
    p.name = std::move(listed.name);
    profiles.push_back(std::move(p));
  }
  if (!profiles.empty() && !scepEnabled)
    throw ConfigError(std::string(kProfilesVariable), "needs CERTCTL_SCEP_ENABLED=true");

  for (const auto& [variable, value] : familyValues) {
    const std::string key = domain::asciiUpper(variable);
    const std::string rest = key.substr(kScepProfileVariablePrefix.size());
    bool matched = false;
    for (ScepProfileConfig& p : profiles) {
      if (rest.rfind(p.name + "_", 0) != 0) continue;
      const std::string suffix = rest.substr(p.name.size() + 1);
      for (const Suffix& s : kSuffixes)
        if (suffix == s.name) {
          if (s.field)
            p.*s.field = trimmed(value);
          else
            p.mtlsEnabled = parseFlag(variable, value);
          matched = true;
        }
      for (std::string_view unsupported : kUnsupportedSuffixes)
        if (!matched && suffix.rfind(unsupported, 0) == 0)
          throw ConfigError(variable, "is not supported by this server (docs/scep.md)");
    }
    if (matched) continue;
    std::string known;
    for (const Suffix& s : kSuffixes) known += (known.empty() ? "" : ", ") + std::string(s.name);
    throw ConfigError(variable,
                      "names no profile of CERTCTL_SCEP_PROFILES or no known setting (known "
                      "suffixes: " +
                          known + ")");
  }

  for (const ScepProfileConfig& p : profiles) {
    auto var = [&](std::string_view suffix) {
      return std::string(kScepProfileVariablePrefix) + p.name + "_" + std::string(suffix);
    };
    for (const Suffix& s : kSuffixes)
      if (s.required && (p.*s.field).empty())
        throw ConfigError(var(s.name), "is required for SCEP profile \"" + p.pathId + "\"");
    if (p.mtlsEnabled && p.mtlsClientCaTrustBundlePath.empty())
      throw ConfigError(var("MTLS_CLIENT_CA_TRUST_BUNDLE_PATH"),
                        "SCEP profile \"" + p.pathId + "\": mTLS needs a client CA trust bundle");
    if (!p.mtlsEnabled && !p.mtlsClientCaTrustBundlePath.empty())
      throw ConfigError(var("MTLS_ENABLED"), "SCEP profile \"" + p.pathId +
                                                 "\": a client CA trust bundle is set, but "
                                                 "MTLS_ENABLED is not true");
  }
  return profiles;
}

}  // namespace certctl::config
