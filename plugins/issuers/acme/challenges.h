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

// Makes one challenge type answerable for an authorization and takes it
// down again.
class ChallengeSolver {
 public:
  virtual ~ChallengeSolver() = default;
  virtual const char* type() const = 0;  // the ACME challenge type, "http-01"
  // `domain` is the authorization's identifier (no "*." for a wildcard).
  virtual void present(const std::string& domain, const std::string& token,
                       const std::string& keyAuthorization) = 0;
  // Best effort: a failed cleanup is logged, never fails the order.
  virtual void cleanup(const std::string& domain, const std::string& token,
                       const std::string& keyAuthorization) noexcept = 0;
};

class Http01Solver final : public ChallengeSolver {
 public:
  Http01Solver(const std::string& address, int port) : responder_(address, port) {}
  const char* type() const override { return "http-01"; }
  void present(const std::string&, const std::string& token,
               const std::string& keyAuthorization) override {
    responder_.add(token, keyAuthorization);
  }
  void cleanup(const std::string&, const std::string& token, const std::string&) noexcept override {
    responder_.remove(token);
  }

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
  void present(const std::string& domain, const std::string& token,
               const std::string& keyAuthorization) override;
  void cleanup(const std::string& domain, const std::string& token,
               const std::string& keyAuthorization) noexcept override;

 private:
  HookRunner run_;
  std::string presentHook_, cleanupHook_;
};

// The hook arguments of seed 002: CERTCTL_DNS_DOMAIN, CERTCTL_DNS_FQDN
// (_acme-challenge.<domain>), CERTCTL_DNS_VALUE (the TXT value) and
// CERTCTL_DNS_TOKEN.
nlohmann::json dnsHookArgs(const std::string& domain, const std::string& token,
                           const std::string& keyAuthorization);

// The solver for the configured challenge type.
std::unique_ptr<ChallengeSolver> makeSolver(const AcmeConfig& config, HookRunner hooks);

}  // namespace certctl::acme
