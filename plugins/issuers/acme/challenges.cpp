#include "challenges.h"

#include "jws.h"
#include "sdk/plugin/host.h"
#include "sdk/plugin/plugin_error.h"

namespace certctl::acme {

using nlohmann::json;

json dnsHookArgs(const std::string& domain, const std::string& token,
                 const std::string& keyAuthorization) {
  return {{"CERTCTL_DNS_DOMAIN", domain},
          {"CERTCTL_DNS_FQDN", "_acme-challenge." + domain},
          {"CERTCTL_DNS_VALUE", dns01TxtValue(keyAuthorization)},
          {"CERTCTL_DNS_TOKEN", token}};
}

void Dns01Solver::present(const std::string& domain, const std::string& token,
                          const std::string& keyAuthorization) {
  try {
    run_(presentHook_, "present", dnsHookArgs(domain, token, keyAuthorization));
  } catch (const sdk::PluginError& e) {
    // An unsupported host (no Lua runtime) is a configuration problem.
    throw sdk::PluginError(
        e.status() == sdk::Status::Unsupported ? sdk::Status::InvalidConfig : e.status(),
        "dns-01 present hook " + presentHook_ + " for " + domain + " failed: " + e.what());
  }
}

void Dns01Solver::cleanup(const std::string& domain, const std::string& token,
                          const std::string& keyAuthorization) noexcept {
  if (cleanupHook_.empty()) return;
  try {
    run_(cleanupHook_, "cleanup", dnsHookArgs(domain, token, keyAuthorization));
  } catch (const std::exception& e) {
    sdk::log(sdk::LogLevel::Warn, "dns-01 cleanup hook " + cleanupHook_ + " for " + domain +
                                      " failed (the TXT record may remain): " + e.what());
  }
}

std::unique_ptr<ChallengeSolver> makeSolver(const AcmeConfig& config, HookRunner hooks) {
  if (config.challengeType == ChallengeType::Dns01)
    return std::make_unique<Dns01Solver>(std::move(hooks), config.dnsPresentHook,
                                         config.dnsCleanupHook);
  return std::make_unique<Http01Solver>(config.httpAddress, config.httpPort);
}

}  // namespace certctl::acme
