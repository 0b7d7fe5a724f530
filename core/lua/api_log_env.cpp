#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "core/lua/api_support.h"
#include "core/lua/certctl_api.h"
#include "core/lua/hook_context.h"

namespace certctl::lua {

namespace {

constexpr std::size_t kMaxLogBytes = 4096;

// Secret argument values are replaced wherever a script puts them in a message.
std::string redacted(std::string message, const std::vector<std::string>& secrets) {
  for (const auto& secret : secrets) {
    if (secret.size() < 4) continue;  // too short to hide without mangling the text
    for (auto at = message.find(secret); at != std::string::npos;
         at = message.find(secret, at + 10))
      message.replace(at, secret.size(), "[redacted]");
  }
  if (message.size() > kMaxLogBytes) message = message.substr(0, kMaxLogBytes) + "...";
  return message;
}

spdlog::level::level_enum levelOf(const std::string& name) {
  if (name == "debug") return spdlog::level::debug;
  if (name == "warn" || name == "warning") return spdlog::level::warn;
  if (name == "error") return spdlog::level::err;
  return spdlog::level::info;
}

// certctl.log(level, message)
int log(lua_State* L) {
  std::string level = luaL_checkstring(L, 1);
  size_t size = 0;
  const char* text = luaL_tolstring(L, 2, &size);
  auto& context = contextOf(L);
  nlohmann::json line = {{"msg", redacted(std::string(text, size), context.secrets)},
                         {"hook", context.hookName}};
  spdlog::log(levelOf(level), "{}",
              line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  return 0;
}

bool envAllowed(const std::string& name, const LuaSettings& settings) {
  if (name.rfind("CERTCTL_DNS_", 0) == 0) return true;
  return std::find(settings.envAllow.begin(), settings.envAllow.end(), name) !=
         settings.envAllow.end();
}

// certctl.env(name): the variable when the operator allowed it, else nil.
int env(lua_State* L) {
  std::string name = luaL_checkstring(L, 1);
  const char* value = envAllowed(name, contextOf(L).settings) ? std::getenv(name.c_str()) : nullptr;
  if (value == nullptr)
    lua_pushnil(L);
  else
    lua_pushstring(L, value);
  return 1;
}

}  // namespace

void registerLogAndEnv(lua_State* L) {
  setFunction(L, "log", &guarded<log>);
  setFunction(L, "env", &guarded<env>);
}

}  // namespace certctl::lua
