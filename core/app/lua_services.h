#pragma once

#include <functional>
#include <nlohmann/json.hpp>

#include "core/config/config.h"
#include "core/lua/lua_runtime.h"

namespace certctl::app {

lua::LuaSettings luaSettings(const config::Config& cfg);

// HostServices.runLuaHook: {"hook", "function", "args", "timeout_seconds"?}
// -> {"result": ...}; LuaError becomes HostServiceError (REJECTED or
// INTERNAL, with the Lua message).
std::function<nlohmann::json(const nlohmann::json&)> runLuaHookService(
    const lua::LuaRuntime& runtime);

// The "Lua" policy rule type: config {"script": "<name under policy/>",
// "function": "evaluate", "params": {...}}; the script returns a list of
// {message, severity}. A script that fails is itself a finding.
void registerLuaPolicyRule(const lua::LuaRuntime& runtime);

}  // namespace certctl::app
