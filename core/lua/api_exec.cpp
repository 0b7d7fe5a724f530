#include <chrono>

#include "core/lua/api_support.h"
#include "core/lua/certctl_api.h"
#include "core/lua/hook_context.h"
#include "core/lua/process_runner.h"

namespace certctl::lua {

namespace {

constexpr std::chrono::milliseconds kDefaultTimeout{30'000};
constexpr const char* kSafePath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

bool validEnvName(const std::string& name) {
  if (name.empty() || name.size() > 128) return false;
  for (char c : name)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return !std::isdigit(static_cast<unsigned char>(name.front()));
}

std::vector<std::string> argvField(lua_State* L) {
  lua_getfield(L, 1, "argv");
  if (!lua_istable(L, -1)) luaL_error(L, "exec: argv must be a list of strings");
  std::vector<std::string> argv;
  const auto n = static_cast<lua_Integer>(lua_rawlen(L, -1));
  for (lua_Integer i = 1; i <= n; ++i) {
    lua_rawgeti(L, -1, i);
    if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "exec: argv[%d] must be a string", int(i));
    size_t size = 0;
    const char* text = lua_tolstring(L, -1, &size);
    argv.emplace_back(text, size);
    lua_pop(L, 1);
  }
  lua_pop(L, 1);
  if (argv.empty()) luaL_error(L, "exec: argv is empty");
  return argv;
}

// The child sees a fixed PATH and what the script passes: never the
// server's own environment (API keys, database passwords).
std::vector<std::pair<std::string, std::string>> envField(lua_State* L) {
  std::vector<std::pair<std::string, std::string>> env = {{"PATH", kSafePath}, {"LC_ALL", "C"}};
  for (auto& [name, value] : stringMapField(L, 1, "env", "exec")) {
    if (!validEnvName(name)) luaL_error(L, "exec: invalid environment variable name");
    env.emplace_back(std::move(name), std::move(value));
  }
  return env;
}

// certctl.exec{argv = {...}, stdin = "...", env = {...}, timeout = seconds}
//   -> {exit_code, signal, timed_out, stdout, stderr, truncated}
int exec(lua_State* L) {
  luaL_checktype(L, 1, LUA_TTABLE);
  auto& context = contextOf(L);
  ProcessSpec spec;
  spec.argv = argvField(L);
  spec.stdinData = optionalStringField(L, 1, "stdin").value_or("");
  spec.env = envField(L);
  const auto requested = secondsField(L, 1, "timeout", kDefaultTimeout);
  // The hook's wall clock bounds every child too.
  spec.timeout = std::min(requested, context.remaining());
  const bool budgetBound = spec.timeout < requested;
  ProcessResult result = runProcess(spec);
  if (result.timedOut && budgetBound) context.failWallClock(L);
  lua_createtable(L, 0, 6);
  lua_pushinteger(L, result.exitCode);
  lua_setfield(L, -2, "exit_code");
  lua_pushinteger(L, result.signal);
  lua_setfield(L, -2, "signal");
  lua_pushboolean(L, result.timedOut ? 1 : 0);
  lua_setfield(L, -2, "timed_out");
  lua_pushboolean(L, result.outputTruncated ? 1 : 0);
  lua_setfield(L, -2, "truncated");
  lua_pushlstring(L, result.stdoutData.data(), result.stdoutData.size());
  lua_setfield(L, -2, "stdout");
  lua_pushlstring(L, result.stderrData.data(), result.stderrData.size());
  lua_setfield(L, -2, "stderr");
  return 1;
}

}  // namespace

void registerExec(lua_State* L) { setFunction(L, "exec", &guarded<exec>); }

}  // namespace certctl::lua
