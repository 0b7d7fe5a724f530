#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace certctl::config {

// One SCEP endpoint (docs/scep.md "Several profiles"): the settings of
// CERTCTL_SCEP_PROFILE_<NAME>_*, served at /scep/<pathId>.
struct ScepProfileConfig {
  std::string name;    // upper-cased variable infix ("CORP")
  std::string pathId;  // lower-cased URL segment ("corp")
  std::string issuerId;
  std::string profileId;  // CertificateProfile bound to the enrollments ("" = none)
  std::string challengePassword;
  std::string raCertPath;
  std::string raKeyPath;
  // The sibling route /scep-mtls/<pathId>: the same endpoint behind a client
  // certificate that must chain to this bundle.
  bool mtlsEnabled = false;
  std::string mtlsClientCaTrustBundlePath;
};

// Anything under CERTCTL_SCEP_PROFILE_ that is not a known suffix of a listed
// profile is a ConfigError (CERTCTL_SCEP_PROFILE_ID is the legacy variable).
inline constexpr std::string_view kScepProfileVariablePrefix = "CERTCTL_SCEP_PROFILE_";
std::string scepProfileVariablesHelp();

// The profiles of CERTCTL_SCEP_PROFILES (`profileList`) from the
// CERTCTL_SCEP_PROFILE_<NAME>_* entries of `familyValues`. Empty when the
// list is empty (the legacy /scep endpoint). Throws ConfigError.
std::vector<ScepProfileConfig> buildScepProfiles(
    bool scepEnabled, std::string_view profileList,
    const std::map<std::string, std::string>& familyValues);

}  // namespace certctl::config
