#include "core/app/lua_services.h"

#include <cmath>

#include "core/lua/lua_error.h"
#include "core/plugins/host_services.h"
#include "core/services/policy_evaluation.h"

namespace certctl::app {

using nlohmann::json;

namespace {

std::string requiredString(const json& request, const char* name) {
  auto it = request.find(name);
  if (it == request.end() || !it->is_string())
    throw plugins::HostServiceError(CERTCTL_REJECTED,
                                    std::string("run_lua_hook: \"") + name + "\" must be a string");
  return it->get<std::string>();
}

json policyFacts(const services::PolicySubject& s) {
  json facts = {{"common_name", s.commonName},  {"sans", s.sans},
                {"environment", s.environment}, {"issuer_id", s.issuerId},
                {"profile_id", s.profileId},    {"renewal_window_days", s.renewalWindowDays},
                {"certificate", s.certificate}};
  if (s.lifetimeSeconds) facts["lifetime_seconds"] = *s.lifetimeSeconds;
  return facts;
}

std::vector<services::PolicyViolation> violationsFrom(const json& result) {
  std::vector<services::PolicyViolation> out;
  if (result.is_null() || (result.is_object() && result.empty())) return out;
  if (!result.is_array()) throw std::runtime_error("the script must return a list of violations");
  for (const auto& item : result) {
    services::PolicyViolation v;
    if (item.is_string()) {
      v.message = item.get<std::string>();
    } else if (item.is_object() && item.contains("message") && item["message"].is_string()) {
      v.message = item["message"].get<std::string>();
      std::string severity = item.value("severity", std::string());
      if (severity == "Warning" || severity == "Error" || severity == "Critical")
        v.severity = severity;
    } else {
      throw std::runtime_error("a violation must be a string or {message, severity}");
    }
    if (!v.message.empty()) out.push_back(std::move(v));
  }
  return out;
}

}  // namespace

lua::LuaSettings luaSettings(const config::Config& cfg) {
  lua::LuaSettings settings;
  settings.hookDir = lua::findHookDir(cfg.luaHookDir);
  settings.instructionBudget = static_cast<std::uint64_t>(cfg.luaInstructionBudget);
  settings.wallClockBudget = cfg.luaTimeout;
  settings.httpAllowLoopback = cfg.luaHttpAllowLoopback;
  settings.envAllow = cfg.luaEnvAllow;
  return settings;
}

std::function<json(const json&)> runLuaHookService(const lua::LuaRuntime& runtime) {
  return [&runtime](const json& request) -> json {
    lua::HookCall call;
    call.hook = requiredString(request, "hook");
    call.function = requiredString(request, "function");
    call.args = request.value("args", json::object());
    auto timeout = request.find("timeout_seconds");
    if (timeout != request.end() && timeout->is_number() && timeout->get<double>() > 0 &&
        std::isfinite(timeout->get<double>()))
      call.timeout = std::chrono::milliseconds(
          static_cast<long long>(std::min(timeout->get<double>(), 86400.0) * 1000));
    try {
      return {{"result", runtime.run(call)}};
    } catch (const lua::LuaError& e) {
      throw plugins::HostServiceError(
          e.kind() == lua::LuaError::Kind::Rejected ? CERTCTL_REJECTED : CERTCTL_INTERNAL,
          e.what());
    }
  };
}

void registerLuaPolicyRule(const lua::LuaRuntime& runtime) {
  services::registerExternalPolicyRule(
      "Lua", [&runtime](const json& config, const services::PolicySubject& subject) {
        std::string script = config.value("script", std::string());
        if (script.rfind("policy/", 0) != 0) script = "policy/" + script;
        lua::HookCall call{
            script,
            config.value("function", std::string("evaluate")),
            {{"facts", policyFacts(subject)}, {"params", config.value("params", json::object())}},
            std::nullopt};
        try {
          return violationsFrom(runtime.run(call));
        } catch (const std::exception& e) {
          // Fail closed: a broken rule is reported with the rule's severity.
          return std::vector<services::PolicyViolation>{
              {std::string("Lua policy script failed: ") + e.what(), "", json::object()}};
        }
      });
}

}  // namespace certctl::app
