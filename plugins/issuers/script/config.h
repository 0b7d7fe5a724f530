#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace certctl::script_issuer {

// The issuer config (config_schema.h). Hook names are relative to the
// server's Lua hook directory, e.g. "ca/openssl-ca.lua".
struct ScriptIssuerConfig {
  std::string signScript;
  std::string revokeScript;  // "" = revocation is recorded by certctl only
  std::string crlScript;     // "" = no CRL from this issuer
  int timeoutSeconds = 30;
  int validityDays = 90;
  nlohmann::json scriptArgs = nlohmann::json::object();  // handed to every hook as args.config

  // Throws PluginError::invalidConfig naming the field.
  static ScriptIssuerConfig parse(const nlohmann::json& config);
};

}  // namespace certctl::script_issuer
