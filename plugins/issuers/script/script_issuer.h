#pragma once

#include <nlohmann/json.hpp>

#include "config.h"
#include "sdk/plugin/issuer.h"

namespace certctl::script_issuer {

// Issues, revokes and (optionally) makes CRLs by calling the configured Lua
// hooks through the host (sign(args), revoke(args), crl(args)); docs/script-issuer.md.
class ScriptIssuer : public sdk::Issuer {
 public:
  explicit ScriptIssuer(const nlohmann::json& config);
  static void validateConfig(const nlohmann::json& config);

  nlohmann::json issue(const nlohmann::json& request) override;
  nlohmann::json revoke(const nlohmann::json& request) override;
  nlohmann::json generateCrl(const nlohmann::json& request) override;

 private:
  nlohmann::json callHook(const std::string& hook, const char* function, nlohmann::json args);

  ScriptIssuerConfig config_;
};

}  // namespace certctl::script_issuer
