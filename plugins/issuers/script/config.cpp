#include "config.h"

#include "sdk/plugin/plugin_error.h"

namespace certctl::script_issuer {

using nlohmann::json;

namespace {

std::string hookName(const json& config, const char* field, bool required) {
  auto it = config.find(field);
  if (it == config.end() || it->is_null()) {
    if (required) throw sdk::PluginError::invalidConfig(std::string(field) + " is required");
    return "";
  }
  if (!it->is_string())
    throw sdk::PluginError::invalidConfig(std::string(field) + " must be a string");
  std::string name = it->get<std::string>();
  // The host checks again; refusing here gives the operator the error at save time.
  if (name.empty() || name.front() == '/' || name.find("..") != std::string::npos ||
      name.size() < 5 || name.substr(name.size() - 4) != ".lua")
    throw sdk::PluginError::invalidConfig(std::string(field) +
                                          " must be a relative .lua name without '..'");
  return name;
}

int integer(const json& config, const char* field, int fallback, int min, int max) {
  auto it = config.find(field);
  if (it == config.end() || it->is_null()) return fallback;
  if (!it->is_number_integer() || it->get<long long>() < min || it->get<long long>() > max)
    throw sdk::PluginError::invalidConfig(std::string(field) + " must be an integer from " +
                                          std::to_string(min) + " to " + std::to_string(max));
  return it->get<int>();
}

}  // namespace

ScriptIssuerConfig ScriptIssuerConfig::parse(const json& config) {
  if (!config.is_object()) throw sdk::PluginError::invalidConfig("the config must be an object");
  ScriptIssuerConfig c;
  c.signScript = hookName(config, "sign_script", true);
  c.revokeScript = hookName(config, "revoke_script", false);
  c.crlScript = hookName(config, "crl_script", false);
  c.timeoutSeconds = integer(config, "timeout_seconds", 30, 1, 3600);
  c.validityDays = integer(config, "validity_days", 90, 1, 3650);
  auto args = config.find("script_args");
  if (args != config.end() && !args->is_null()) {
    if (!args->is_object()) throw sdk::PluginError::invalidConfig("script_args must be an object");
    c.scriptArgs = *args;
  }
  return c;
}

}  // namespace certctl::script_issuer
