#include "challenges.h"

#include "dns_persist01.h"
#include "jws.h"
#include "sdk/plugin/host.h"
#include "sdk/plugin/plugin_error.h"

namespace certctl::acme {

using nlohmann::json;

json dnsHookArgs(const std::string& domain, const std::string& fqdn, const std::string& value,
                 const std::string& token) {
  return {{"CERTCTL_DNS_DOMAIN", domain},
          {"CERTCTL_DNS_FQDN", fqdn},
          {"CERTCTL_DNS_VALUE", value},
          {"CERTCTL_DNS_TOKEN", token}};
}

void runPresentHook(const HookRunner& run, const std::string& hook, const char* type,
                    const json& args) {
  try {
    run(hook, "present", args);
  } catch (const sdk::PluginError& e) {
    // An unsupported host (no Lua runtime) is a configuration problem.
    throw sdk::PluginError(
        e.status() == sdk::Status::Unsupported ? sdk::Status::InvalidConfig : e.status(),
        std::string(type) + " present hook " + hook + " for " +
            args.value("CERTCTL_DNS_DOMAIN", "") + " failed: " + e.what());
  }
}

namespace {

json dns01Args(const Challenge& c) {
  return dnsHookArgs(c.domain, "_acme-challenge." + c.domain, dns01TxtValue(c.keyAuthorization),
                     c.token);
}

}  // namespace

void Dns01Solver::present(const Challenge& challenge) {
  runPresentHook(run_, presentHook_, type(), dns01Args(challenge));
}

void Dns01Solver::cleanup(const Challenge& challenge) noexcept {
  if (cleanupHook_.empty()) return;
  try {
    run_(cleanupHook_, "cleanup", dns01Args(challenge));
  } catch (const std::exception& e) {
    sdk::log(sdk::LogLevel::Warn, "dns-01 cleanup hook " + cleanupHook_ + " for " +
                                      challenge.domain +
                                      " failed (the TXT record may remain): " + e.what());
  }
}

std::unique_ptr<ChallengeSolver> makeSolver(const AcmeConfig& config, HookRunner hooks) {
  switch (config.challengeType) {
    case ChallengeType::Dns01:
      return std::make_unique<Dns01Solver>(std::move(hooks), config.dnsPresentHook,
                                           config.dnsCleanupHook);
    case ChallengeType::DnsPersist01:
      return std::make_unique<DnsPersist01Solver>(std::move(hooks), config.dnsPresentHook,
                                                  config.dnsCleanupHook,
                                                  config.dnsPersistIssuerDomain);
    case ChallengeType::Http01:
      break;
  }
  return std::make_unique<Http01Solver>(config.httpAddress, config.httpPort);
}

}  // namespace certctl::acme
