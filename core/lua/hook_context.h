#pragma once

#include <lua.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/lua/lua_settings.h"

namespace certctl::lua {

// The state of one hook run, reachable from every C function through the
// Lua state's extra space: settings, budgets, memory use, and the secret
// values that certctl.log must never print.
struct HookContext {
  HookContext(const LuaSettings& s, std::string name) : settings(s), hookName(std::move(name)) {}

  const LuaSettings& settings;
  std::string hookName;
  std::uint64_t instructionBudget = 0;
  std::uint64_t instructionsUsed = 0;
  std::chrono::steady_clock::time_point deadline;
  std::chrono::milliseconds wallClockBudget{0};
  std::size_t memoryUsed = 0;
  bool exhausted = false;  // a budget ran out: every further instruction fails
  std::vector<std::string> secrets;

  // What is left of the wall-clock budget (zero when it is spent).
  std::chrono::milliseconds remaining() const;
  // Raises the budget error in `L` when the wall clock has run out.
  void checkDeadline(lua_State* L);
  // Raises it now (a child killed at the end of the budget).
  [[noreturn]] void failWallClock(lua_State* L);
};

// The context of a state made by newHookState.
HookContext& contextOf(lua_State* L);

// A fresh state whose allocator counts against the context's memory limit and
// whose count hook enforces the instruction and wall-clock budgets. The
// context must outlive the state.
lua_State* newHookState(HookContext& context);

}  // namespace certctl::lua
