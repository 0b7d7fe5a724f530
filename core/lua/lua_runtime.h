#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "core/lua/lua_settings.h"

namespace certctl::lua {

struct HookCall {
  std::string hook;      // relative to the hook directory: "ca/openssl-ca.lua"
  std::string function;  // a global function of the script
  nlohmann::json args = nlohmann::json::object();
  // Shorter than the configured wall-clock budget, never longer.
  std::optional<std::chrono::milliseconds> timeout;
};

// Runs hook functions, each call in a fresh sandboxed Lua 5.4 state
// (sandbox.h) with the certctl.* API (certctl_api.h) and the instruction,
// wall-clock and memory budgets of the settings. Thread-safe: calls share
// nothing but the settings.
class LuaRuntime {
 public:
  explicit LuaRuntime(LuaSettings settings);

  // Loads the hook, runs its top level, then `function(args)`; returns the
  // function's first result as JSON (null when it returns nothing). Throws
  // LuaError: Rejected for a refused hook name, a missing function, an
  // exceeded budget or a script error raised as {status = "REJECTED",
  // message = ...}; Failed for any other error, with the Lua message.
  nlohmann::json run(const HookCall& call) const;

  const LuaSettings& settings() const { return settings_; }

 private:
  LuaSettings settings_;
};

}  // namespace certctl::lua
