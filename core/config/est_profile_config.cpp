#include "core/config/est_profile_config.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>

#include "core/config/config.h"
#include "core/config/profile_names.h"
#include "core/domain/ascii_case.h"

namespace certctl::config {

namespace {

using namespace profile_names;

constexpr std::string_view kProfilesVariable = "CERTCTL_EST_PROFILES";

struct Suffix {
  std::string_view name;
  std::string_view meaning;
};

const Suffix kSuffixes[] = {
    {"ISSUER_ID", "The issuer that signs this profile's enrollments (required)."},
    {"PROFILE_ID", "CertificateProfile bound to the enrollments (drives csrattrs, serverkeygen)."},
    {"ENROLLMENT_PASSWORD", "HTTP Basic shared secret; required by the basic auth mode."},
    {"ALLOWED_AUTH_MODES",
     "basic and/or mtls (comma-separated); unset: basic with a password, mtls when enabled, "
     "else anonymous."},
    {"MTLS_ENABLED", "Publish /.well-known/est-mtls/<pathID>/ (true/false)."},
    {"MTLS_CLIENT_CA_TRUST_BUNDLE_PATH", "PEM bundle client certificates must chain to."},
    {"CHANNEL_BINDING_REQUIRED", "RFC 9266 tls-exporter in the CSR (needs MTLS_ENABLED)."},
    {"SERVERKEYGEN_ENABLED", "Serve serverkeygen (needs PROFILE_ID)."},
    {"RATE_LIMIT_PER_PRINCIPAL_24H", "Enrollments per (CN, source IP) in 24h; 0 = no limit."},
};

void apply(EstProfileConfig& p, std::string_view suffix, const std::string& variable,
           const std::string& value) {
  if (suffix == "ISSUER_ID") {
    p.issuerId = trimmed(value);
  } else if (suffix == "PROFILE_ID") {
    p.profileId = trimmed(value);
  } else if (suffix == "ENROLLMENT_PASSWORD") {
    p.enrollmentPassword = value;
  } else if (suffix == "ALLOWED_AUTH_MODES") {
    p.authModes.clear();
    for (std::string mode : splitComma(value)) {
      mode = domain::asciiLower(mode);
      if (mode != "basic" && mode != "mtls")
        throw ConfigError(variable, "unknown auth mode \"" + mode + "\" (use basic and/or mtls)");
      if (std::find(p.authModes.begin(), p.authModes.end(), mode) == p.authModes.end())
        p.authModes.push_back(mode);
    }
  } else if (suffix == "MTLS_ENABLED") {
    p.mtlsEnabled = parseFlag(variable, value);
  } else if (suffix == "MTLS_CLIENT_CA_TRUST_BUNDLE_PATH") {
    p.mtlsClientCaTrustBundlePath = trimmed(value);
  } else if (suffix == "CHANNEL_BINDING_REQUIRED") {
    p.channelBindingRequired = parseFlag(variable, value);
  } else if (suffix == "SERVERKEYGEN_ENABLED") {
    p.serverKeygenEnabled = parseFlag(variable, value);
  } else if (suffix == "RATE_LIMIT_PER_PRINCIPAL_24H") {
    std::string v = trimmed(value);
    int n = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n < 0 || n > 1000000)
      throw ConfigError(variable, "must be an integer 0-1000000 (got \"" + v + "\")");
    p.rateLimitPerPrincipal24h = n;
  }
}

// The docs/est.md cross-checks of one profile; `var` names a variable of it.
void crossCheck(const EstProfileConfig& p, bool legacy) {
  auto var = [&](std::string_view suffix) {
    if (legacy)
      return std::string(suffix == "ISSUER_ID" ? "CERTCTL_EST_ISSUER_ID"
                                               : "CERTCTL_EST_ENROLLMENT_PASSWORD");
    return std::string(kEstProfileVariablePrefix) + p.name + "_" + std::string(suffix);
  };
  const std::string label = legacy ? "the legacy EST profile" : "EST profile " + p.pathId;
  if (p.issuerId.empty()) throw ConfigError(var("ISSUER_ID"), label + ": must be set");
  if (p.allowsMtls() && !p.mtlsEnabled)
    throw ConfigError(var("MTLS_ENABLED"),
                      label + ": the mtls auth mode needs " + var("MTLS_ENABLED") + "=true");
  if (p.mtlsEnabled && p.mtlsClientCaTrustBundlePath.empty())
    throw ConfigError(var("MTLS_CLIENT_CA_TRUST_BUNDLE_PATH"),
                      label + ": mTLS needs a client CA trust bundle");
  if (p.allowsBasic() && p.enrollmentPassword.empty())
    throw ConfigError(var("ENROLLMENT_PASSWORD"),
                      label + ": the basic auth mode needs an enrollment password");
  if (!p.enrollmentPassword.empty() && !p.authModes.empty() && !p.allowsBasic())
    throw ConfigError(var("ALLOWED_AUTH_MODES"),
                      label + ": an enrollment password is set but basic is not an allowed mode");
  if (p.channelBindingRequired && !p.mtlsEnabled)
    throw ConfigError(
        var("CHANNEL_BINDING_REQUIRED"),
        label + ": channel binding is meaningful only with " + var("MTLS_ENABLED") + "=true");
  if (p.serverKeygenEnabled && p.profileId.empty())
    throw ConfigError(var("SERVERKEYGEN_ENABLED"),
                      label + ": serverkeygen needs " + var("PROFILE_ID") +
                          " (the CertificateProfile decides which key to generate)");
}

}  // namespace

bool EstProfileConfig::allowsBasic() const {
  return std::find(authModes.begin(), authModes.end(), "basic") != authModes.end();
}

bool EstProfileConfig::allowsMtls() const {
  return std::find(authModes.begin(), authModes.end(), "mtls") != authModes.end();
}

std::string estProfileVariablesHelp() {
  std::string text;
  for (const Suffix& s : kSuffixes)
    text += "  CERTCTL_EST_PROFILE_<NAME>_" + std::string(s.name) + "\n      " +
            std::string(s.meaning) + "\n";
  return text;
}

std::vector<EstProfileConfig> buildEstProfiles(
    bool estEnabled, std::string_view profileList,
    const std::map<std::string, std::string>& familyValues, const std::string& legacyIssuerId,
    const std::string& legacyPassword) {
  std::vector<EstProfileConfig> profiles;
  for (auto& listed : listedProfiles(profileList, kProfilesVariable, "est")) {
    EstProfileConfig p;
    p.pathId = std::move(listed.pathId);
    p.name = std::move(listed.name);
    profiles.push_back(std::move(p));
  }
  if (!profiles.empty() && !estEnabled)
    throw ConfigError(std::string(kProfilesVariable), "needs CERTCTL_EST_ENABLED=true");

  for (const auto& [variable, value] : familyValues) {
    const std::string key = domain::asciiUpper(variable);
    bool matched = false;
    for (EstProfileConfig& p : profiles) {
      for (const Suffix& s : kSuffixes) {
        if (key == std::string(kEstProfileVariablePrefix) + p.name + "_" + std::string(s.name)) {
          apply(p, s.name, variable, value);
          matched = true;
        }
      }
    }
    if (matched) continue;
    const std::string rest = key.substr(kEstProfileVariablePrefix.size());
    for (const Suffix& s : kSuffixes) {
      const std::string tail = "_" + std::string(s.name);
      if (rest.size() > tail.size() &&
          rest.compare(rest.size() - tail.size(), tail.size(), tail) == 0)
        throw ConfigError(variable, "no EST profile \"" +
                                        rest.substr(0, rest.size() - tail.size()) +
                                        "\" in CERTCTL_EST_PROFILES");
    }
    std::string known;
    for (const Suffix& s : kSuffixes) known += (known.empty() ? "" : ", ") + std::string(s.name);
    throw ConfigError(variable, "unknown EST profile setting (known suffixes: " + known + ")");
  }

  for (EstProfileConfig& p : profiles) {
    // No explicit modes: what is configured says which gates apply.
    if (!p.authModes.empty()) continue;
    if (!p.enrollmentPassword.empty()) p.authModes.push_back("basic");
    if (p.mtlsEnabled) p.authModes.push_back("mtls");
  }
  if (!estEnabled) return {};
  if (profiles.empty()) {
    EstProfileConfig legacy;
    legacy.issuerId = legacyIssuerId;
    legacy.enrollmentPassword = legacyPassword;
    if (!legacyPassword.empty()) legacy.authModes = {"basic"};
    crossCheck(legacy, true);
    return {legacy};
  }
  for (const EstProfileConfig& p : profiles) crossCheck(p, false);
  return profiles;
}

}  // namespace certctl::config
