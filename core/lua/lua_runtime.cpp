#include "core/lua/lua_runtime.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <memory>
#include <sstream>

#include "core/lua/api_support.h"
#include "core/lua/certctl_api.h"
#include "core/lua/hook_context.h"
#include "core/lua/hook_path.h"
#include "core/lua/json_bridge.h"
#include "core/lua/lua_error.h"
#include "core/lua/sandbox.h"

namespace certctl::lua {

using nlohmann::json;

namespace {

constexpr std::size_t kMaxScriptBytes = 1 << 20;

struct Invocation {
  const std::string* source;
  const HookCall* call;
  json result;
};

bool validFunctionName(const std::string& name) {
  if (name.empty() || name.size() > 64 || std::isdigit(static_cast<unsigned char>(name[0])))
    return false;
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '_'; });
}

// Argument values whose names say they are secret: certctl.log hides them.
void collectSecrets(const json& value, std::vector<std::string>& out, bool secret = false) {
  if (value.is_string() && secret) out.push_back(value.get<std::string>());
  if (value.is_array())
    for (const auto& item : value) collectSecrets(item, out, secret);
  if (!value.is_object()) return;
  for (const auto& [key, item] : value.items()) {
    std::string name = key;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    bool isSecret = secret;
    for (const char* word : {"secret", "password", "token", "private_key", "api_key", "credential"})
      if (name.find(word) != std::string::npos) isSecret = true;
    collectSecrets(item, out, isSecret);
  }
}

std::string readScript(const std::filesystem::path& path, const std::string& hook) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in.good() && !in.eof())
    throw LuaError(LuaError::Kind::Rejected, "hook " + hook + ": cannot be read");
  if (text.str().size() > kMaxScriptBytes)
    throw LuaError(LuaError::Kind::Rejected, "hook " + hook + ": larger than 1 MiB");
  return text.str();
}

void raiseRejected(lua_State* L, const std::string& message) {
  lua_createtable(L, 0, 2);
  lua_pushliteral(L, "REJECTED");
  lua_setfield(L, -2, "status");
  lua_pushlstring(L, message.data(), message.size());
  lua_setfield(L, -2, "message");
  lua_error(L);
}

// Runs under lua_pcall, so every Lua error (memory, budget) is caught.
int invoke(lua_State* L) {
  auto* invocation = static_cast<Invocation*>(lua_touserdata(L, 1));
  const HookCall& call = *invocation->call;
  openSandbox(L);
  openCertctlApi(L);
  const std::string chunkName = "@" + call.hook;
  if (loadSourceText(L, invocation->source->data(), invocation->source->size(),
                     chunkName.c_str()) != LUA_OK)
    raiseRejected(L, lua_tostring(L, -1) != nullptr ? lua_tostring(L, -1) : "cannot load");
  lua_call(L, 0, 0);
  if (lua_getglobal(L, call.function.c_str()) != LUA_TFUNCTION)
    raiseRejected(L, "hook " + call.hook + " has no function " + call.function);
  pushJson(L, call.args);
  lua_call(L, 1, 1);
  invocation->result = toJson(L, -1);
  return 0;
}

LuaError errorFrom(lua_State* L, const HookContext& context, const HookCall& call) {
  const std::string prefix = "hook " + call.hook + " (" + call.function + "): ";
  if (lua_istable(L, -1)) {
    lua_getfield(L, -1, "status");
    lua_getfield(L, -2, "message");
    std::string status = lua_isstring(L, -2) ? lua_tostring(L, -2) : "";
    std::string message = lua_isstring(L, -1) ? lua_tostring(L, -1) : "(no message)";
    lua_pop(L, 2);
    return LuaError(status == "REJECTED" ? LuaError::Kind::Rejected : LuaError::Kind::Failed,
                    prefix + message);
  }
  std::string message = lua_isstring(L, -1) ? lua_tostring(L, -1) : "error without a message";
  // A spent budget will be spent again on retry: refuse rather than fail.
  return LuaError(context.exhausted ? LuaError::Kind::Rejected : LuaError::Kind::Failed,
                  prefix + message);
}

}  // namespace

LuaRuntime::LuaRuntime(LuaSettings settings) : settings_(std::move(settings)) {}

json LuaRuntime::run(const HookCall& call) const {
  if (!validFunctionName(call.function))
    throw LuaError(LuaError::Kind::Rejected, "hook function names are Lua identifiers");
  const std::string source = readScript(resolveHookPath(settings_.hookDir, call.hook), call.hook);

  HookContext context(settings_, call.hook);
  context.instructionBudget = settings_.instructionBudget;
  context.wallClockBudget =
      std::min(call.timeout.value_or(settings_.wallClockBudget), settings_.wallClockBudget);
  context.deadline = std::chrono::steady_clock::now() + context.wallClockBudget;
  collectSecrets(call.args, context.secrets);

  std::unique_ptr<lua_State, void (*)(lua_State*)> state(newHookState(context), &lua_close);
  if (!state) throw LuaError(LuaError::Kind::Failed, "cannot create a Lua state");
  lua_State* L = state.get();
  Invocation invocation{&source, &call, nullptr};
  lua_pushcfunction(L, &guarded<invoke>);
  lua_pushlightuserdata(L, &invocation);
  if (lua_pcall(L, 1, 0, 0) != LUA_OK) throw errorFrom(L, context, call);
  return std::move(invocation.result);
}

}  // namespace certctl::lua
