#include "core/lua/hook_context.h"

#include <cstdlib>
#include <cstring>

namespace certctl::lua {

namespace {

// Instructions between two hook calls: small enough to stop a loop promptly,
// large enough to cost nothing measurable.
constexpr int kHookInterval = 1000;

void* limitedAlloc(void* ud, void* ptr, size_t osize, size_t nsize) {
  auto* context = static_cast<HookContext*>(ud);
  const std::size_t old = ptr != nullptr ? osize : 0;
  if (nsize == 0) {
    std::free(ptr);
    context->memoryUsed -= old;
    return nullptr;
  }
  if (nsize > old && context->memoryUsed - old + nsize > context->settings.memoryLimitBytes)
    return nullptr;  // Lua raises "not enough memory"
  void* grown = std::realloc(ptr, nsize);
  if (grown != nullptr) context->memoryUsed = context->memoryUsed - old + nsize;
  return grown;
}

[[noreturn]] void exhaust(lua_State* L, HookContext& context, const std::string& message) {
  // From now on every instruction fails, so a pcall loop cannot swallow it.
  context.exhausted = true;
  lua_sethook(L, lua_gethook(L), LUA_MASKCOUNT, 1);
  luaL_error(L, "%s", message.c_str());
  std::abort();  // luaL_error does not return
}

void countHook(lua_State* L, lua_Debug*) {
  auto& context = contextOf(L);
  if (context.exhausted)
    luaL_error(L, "hook %s stopped: budget exhausted", context.hookName.c_str());
  context.instructionsUsed += kHookInterval;
  if (context.instructionsUsed > context.instructionBudget)
    exhaust(L, context,
            "hook exceeded its instruction budget (" + std::to_string(context.instructionBudget) +
                " instructions)");
  context.checkDeadline(L);
}

}  // namespace

std::chrono::milliseconds HookContext::remaining() const {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? left : std::chrono::milliseconds(0);
}

void HookContext::checkDeadline(lua_State* L) {
  if (std::chrono::steady_clock::now() < deadline) return;
  failWallClock(L);
}

void HookContext::failWallClock(lua_State* L) {
  exhaust(
      L, *this,
      "hook exceeded its wall-clock budget (" + std::to_string(wallClockBudget.count()) + " ms)");
}

HookContext& contextOf(lua_State* L) {
  HookContext* context = nullptr;
  std::memcpy(&context, lua_getextraspace(L), sizeof context);
  return *context;
}

lua_State* newHookState(HookContext& context) {
  lua_State* L = lua_newstate(&limitedAlloc, &context);
  if (L == nullptr) return nullptr;
  HookContext* pointer = &context;
  std::memcpy(lua_getextraspace(L), &pointer, sizeof pointer);
  lua_sethook(L, &countHook, LUA_MASKCOUNT, kHookInterval);
  return L;
}

}  // namespace certctl::lua
