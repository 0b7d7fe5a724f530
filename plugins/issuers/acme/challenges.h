#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "config.h"
#include "http01_responder.h"

namespace certctl::acme {

// Runs a Lua hook through the host (sdk::runLuaHook in the plugin; a fake
// in tests): hook name, function, args -> the hook's result.
using HookRunner = std::function<nlohmann::json(
    const std::string& hook, const std::string& function, const nlohmann::json& args)>;

// One challenge of a pending authorization, as a solver sees it.
struct Challenge {
  std::string domain;  // the identifier (no "*." for a wildcard)
  bool wildcard = false;
  std::string token;             // "" when the type has none (dns-persist-01)
  std::string keyAuthorization;  // "" without a token
  nlohmann::json object;         // the challenge object as the CA sent it
  std::string accountUrl;        // the ACME account's URL
};

// Makes one challenge type answerable for an authorization and takes it
// down again.
class ChallengeSolver {
 public:
  virtual ~ChallengeSolver() = default;
  virtual const char* type() const = 0;  // the ACME challenge type, "http-01"
  // False when the challenge type carries no token (dns-persist-01).
  virtual bool needsToken() const { return true; }
  // The solver for an authorization that offers no type() challenge;
  // nullptr = none (the authorization is refused).
  virtual ChallengeSolver* fallback() { return nullptr; }
  virtual void present(const Challenge& challenge) = 0;
  // Best effort: a failed cleanup is logged, never fails the order.
  virtual void cleanup(const Challenge& challenge) noexcept = 0;
};

class Http01Solver final : public ChallengeSolver {
 public:
  Http01Solver(const std::string& address, int port) : responder_(address, port) {}
  const char* type() const override { return "http-01"; }
  void present(const Challenge& c) override { responder_.add(c.token, c.keyAuthorization); }
  void cleanup(const Challenge& c) noexcept override { responder_.remove(c.token); }

 private:
  Http01Responder responder_;
};

// dns-01 through the operator's Lua hooks: "present" of dns_present_script
// creates the TXT record, "cleanup" of dns_cleanup_script removes it.
class Dns01Solver final : public ChallengeSolver {
 public:
  Dns01Solver(HookRunner run, std::string presentHook, std::string cleanupHook)
      : run_(std::move(run)),
        presentHook_(std::move(presentHook)),
        cleanupHook_(std::move(cleanupHook)) {}
  const char* type() const override { return "dns-01"; }
  void present(const Challenge& challenge) override;
  void cleanup(const Challenge& challenge) noexcept override;

 private:
  HookRunner run_;
  std::string presentHook_, cleanupHook_;
};

// The hook arguments of seed 002: CERTCTL_DNS_DOMAIN, CERTCTL_DNS_FQDN
// (the record's name), CERTCTL_DNS_VALUE (the TXT value) and
// CERTCTL_DNS_TOKEN ("" for dns-persist-01).
nlohmann::json dnsHookArgs(const std::string& domain, const std::string& fqdn,
                           const std::string& value, const std::string& token);

// Runs function "present" of `hook` with `args`; a failure names the
// challenge type, the hook and the domain (a host without Lua is a
// configuration problem).
void runPresentHook(const HookRunner& run, const std::string& hook, const char* type,
                    const nlohmann::json& args);

// The solver for the configured challenge type.
std::unique_ptr<ChallengeSolver> makeSolver(const AcmeConfig& config, HookRunner hooks);

}  // namespace certctl::acme
