#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace certctl::config {

// One EST profile (docs/est.md "Multi-profile dispatch"): the settings of
// CERTCTL_EST_PROFILE_<NAME>_*, or of the legacy CERTCTL_EST_ISSUER_ID /
// _ENROLLMENT_PASSWORD pair when CERTCTL_EST_PROFILES is unset (pathId "").
struct EstProfileConfig {
  std::string name;    // as listed, upper-cased for the variable names ("CORP")
  std::string pathId;  // lower-cased URL segment ("corp"); "" = /.well-known/est/
  std::string issuerId;
  std::string profileId;               // CertificateProfile id ("" = none)
  std::string enrollmentPassword;      // HTTP Basic secret ("" = none)
  std::vector<std::string> authModes;  // "basic", "mtls"; empty = anonymous
  bool mtlsEnabled = false;            // /.well-known/est-mtls/<pathId>/
  std::string mtlsClientCaTrustBundlePath;
  bool channelBindingRequired = false;  // RFC 9266 tls-exporter in challengePassword
  bool serverKeygenEnabled = false;     // RFC 7030 4.4
  int rateLimitPerPrincipal24h = 0;     // per (CN, source IP); 0 = off

  bool allowsBasic() const;
  bool allowsMtls() const;
  bool anonymous() const { return authModes.empty(); }
};

// The per-profile variable family. Names are matched against the profiles
// of CERTCTL_EST_PROFILES; anything else under CERTCTL_EST_PROFILE_ (an
// unknown suffix, an unlisted profile) is a ConfigError, never ignored.
inline constexpr std::string_view kEstProfileVariablePrefix = "CERTCTL_EST_PROFILE_";
// One line of --help per suffix.
std::string estProfileVariablesHelp();

// Builds the profiles from CERTCTL_EST_PROFILES (`profileList`, "" = the
// legacy single profile) and every CERTCTL_EST_PROFILE_* entry of
// `familyValues` (name -> value), then runs the boot-time cross-checks of
// docs/est.md. Throws ConfigError naming the offending variable.
std::vector<EstProfileConfig> buildEstProfiles(
    bool estEnabled, std::string_view profileList,
    const std::map<std::string, std::string>& familyValues, const std::string& legacyIssuerId,
    const std::string& legacyPassword);

}  // namespace certctl::config
