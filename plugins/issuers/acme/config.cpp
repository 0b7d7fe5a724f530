#include "config.h"

#include <algorithm>
#include <regex>

#include "sdk/deploy/config_fields.h"
#include "sdk/deploy/deploy_error.h"
#include "sdk/deploy/tls_probe.h"
#include "sdk/net/https_client.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/openssl_error.h"
#include "sdk/plugin/plugin_error.h"

namespace certctl::acme {

namespace {

using nlohmann::json;
namespace deploy = sdk::deploy;

[[noreturn]] void invalid(const std::string& field, const std::string& why) {
  throw sdk::PluginError::invalidConfig(field + ": " + why);
}

std::string text(const json& config, const char* key, std::string fallback = {}) {
  return deploy::stringField(config, key, key).value_or(std::move(fallback));
}

void parseDirectoryUrl(const json& config, AcmeConfig& cfg) {
  cfg.directoryUrl = text(config, "directory_url");
  if (cfg.directoryUrl.empty()) invalid("directory_url", "is required (the CA's ACME directory)");
  sdk::net::Url url;
  try {
    url = sdk::net::parseUrl(cfg.directoryUrl);
  } catch (const sdk::net::HttpError& e) {
    invalid("directory_url", e.what());
  }
  // Plain http only on loopback (a test server): an ACME account key signs
  // everything, but the nonces and certificates travel unprotected otherwise.
  if (url.scheme != "https" && !sdk::net::isLoopbackHost(url.host))
    invalid("directory_url", "must be an https:// URL, got \"" + cfg.directoryUrl + "\"");
}

void parseEmail(const json& config, AcmeConfig& cfg) {
  cfg.email = text(config, "email");
  if (cfg.email.empty()) return;
  static const std::regex form(
      R"([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)");
  if (cfg.email.size() > 254 || !std::regex_match(cfg.email, form))
    invalid("email", "\"" + cfg.email + "\" is not an email address (name@example.com)");
}

void parseChallenge(const json& config, AcmeConfig& cfg) {
  const std::string type = text(config, "challenge_type", "http-01");
  if (type == "http-01") {
    cfg.challengeType = ChallengeType::Http01;
  } else if (type == "dns-01") {
    cfg.challengeType = ChallengeType::Dns01;
  } else if (type == "dns-persist-01") {
    cfg.challengeType = ChallengeType::DnsPersist01;
  } else {
    invalid("challenge_type", "must be http-01, dns-01 or dns-persist-01, got \"" + type + "\"");
  }
  cfg.httpAddress = text(config, "http_address", cfg.httpAddress);
  if (!deploy::isIpLiteral(cfg.httpAddress))
    invalid("http_address", "must be an IP address to listen on, got \"" + cfg.httpAddress + "\"");
  cfg.httpPort = static_cast<int>(
      deploy::integerField(config, "http_port", 1, 65535, "http_port").value_or(80));

  static const std::regex hookName(R"([A-Za-z0-9_][A-Za-z0-9_./-]{0,199})");
  for (auto [key, out] : {std::pair{"dns_present_script", &cfg.dnsPresentHook},
                          std::pair{"dns_cleanup_script", &cfg.dnsCleanupHook}}) {
    *out = text(config, key);
    if (!out->empty() &&
        (!std::regex_match(*out, hookName) || out->find("..") != std::string::npos))
      invalid(key, "\"" + *out + "\" is not a Lua hook name (e.g. dns/example.lua)");
  }
  static const std::regex domainName(R"([A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)");
  cfg.dnsPersistIssuerDomain = text(config, "dns_persist_issuer_domain");
  if (!cfg.dnsPersistIssuerDomain.empty() &&
      (!std::regex_match(cfg.dnsPersistIssuerDomain, domainName) ||
       cfg.dnsPersistIssuerDomain.find("..") != std::string::npos))
    invalid("dns_persist_issuer_domain",
            "\"" + cfg.dnsPersistIssuerDomain + "\" is not a DNS name (e.g. letsencrypt.org)");
  if (cfg.challengeType != ChallengeType::Http01 && cfg.dnsPresentHook.empty())
    invalid("dns_present_script",
            "is required for " + type + " (the hook that creates the TXT record)");
}

void parseEab(const json& config, AcmeConfig& cfg) {
  const std::string kid = text(config, "eab_kid");
  const std::string hmac = text(config, "eab_hmac");
  if (kid.empty() && hmac.empty()) return;
  if (kid.empty() || hmac.empty())
    invalid(kid.empty() ? "eab_kid" : "eab_hmac", "eab_kid and eab_hmac go together: set both");
  EabCredentials eab{kid, {}};
  try {
    eab.hmacKey = sdk::pki::base64UrlDecode(hmac, "eab_hmac");
  } catch (const sdk::pki::PkiError&) {
    invalid("eab_hmac", "must be base64url without padding (as the CA hands it out)");
  }
  if (eab.hmacKey.size() < 16) invalid("eab_hmac", "is shorter than 16 bytes once decoded");
  cfg.eab = std::move(eab);
}

}  // namespace

AcmeConfig AcmeConfig::parse(const json& config) {
  if (!config.is_object()) invalid("config", "must be a JSON object");
  AcmeConfig cfg;
  try {
    parseDirectoryUrl(config, cfg);
    parseEmail(config, cfg);
    parseChallenge(config, cfg);
    parseEab(config, cfg);
    cfg.profile = text(config, "profile");
    static const std::regex profileName(R"([A-Za-z0-9._-]{1,64})");
    if (!cfg.profile.empty() && !std::regex_match(cfg.profile, profileName))
      invalid("profile", "\"" + cfg.profile + "\" is not a profile name");
    cfg.ariEnabled = deploy::boolField(config, "ari_enabled", "ari_enabled").value_or(false);
    if (auto path = deploy::filePathField(config, "ca_bundle_path", "ca_bundle_path")) {
      if (!std::filesystem::is_regular_file(*path))
        invalid("ca_bundle_path", path->string() + " is not a readable file");
      cfg.caBundlePath = path->string();
    }
    cfg.pollTimeout = std::chrono::seconds(
        deploy::integerField(config, "poll_timeout_seconds", 5, 3600, "poll_timeout_seconds")
            .value_or(300));
    if (const json* host = deploy::configMember(config, "host")) {
      if (auto dir = deploy::filePathField(*host, "state_dir", "host.state_dir", true))
        cfg.stateDir = *dir;
    }
  } catch (const deploy::DeployError& e) {
    throw sdk::PluginError::invalidConfig(e.what());
  }
  return cfg;
}

}  // namespace certctl::acme
