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
  std::string ScepProfileConfig::*field;
};

const Suffix kSuffixes[] = {
    {"ISSUER_ID", "The issuer that signs this profile's enrollments (required).",
     &ScepProfileConfig::issuerId},
    {"PROFILE_ID", "CertificateProfile bound to the enrollments (optional).",
     &ScepProfileConfig::profileId},
    {"CHALLENGE_PASSWORD", "Shared secret of the CSR's challengePassword (required).",
     &ScepProfileConfig::challengePassword},
    {"RA_CERT_PATH", "PEM certificate of this profile's RA (required).",
     &ScepProfileConfig::raCertPath},
    {"RA_KEY_PATH", "PEM key of this profile's RA, mode 0600 (required).",
     &ScepProfileConfig::raKeyPath},
};

// Settings of the original product this server does not implement: refused
// by name rather than reported as unknown.
const std::string_view kUnsupportedSuffixes[] = {"MTLS_", "INTUNE_"};

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
          p.*s.field = trimmed(value);
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

  for (const ScepProfileConfig& p : profiles)
    for (const Suffix& s : kSuffixes)
      if (s.name != "PROFILE_ID" && (p.*s.field).empty())
        throw ConfigError("CERTCTL_SCEP_PROFILE_" + p.name + "_" + std::string(s.name),
                          "is required for SCEP profile \"" + p.pathId + "\"");
  return profiles;
}

}  // namespace certctl::config
