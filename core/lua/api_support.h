#pragma once

#include <lua.hpp>

#include <chrono>
#include <exception>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace certctl::lua {

// Wraps a C function of the certctl.* API: a C++ exception becomes a Lua
// error with its message. Lua's own errors (C++ exceptions of Lua's type in
// the lua5.4-c++ build) pass through untouched.
template <int (*Fn)(lua_State*)>
int guarded(lua_State* L) {
  std::string message;
  try {
    return Fn(L);
  } catch (const std::exception& e) {
    message = e.what();
  }
  return luaL_error(L, "%s", message.c_str());
}

// Field `name` of the table at `index` as a string; nullopt when absent.
std::optional<std::string> optionalStringField(lua_State* L, int index, const char* name);

// Field `name` as a number of seconds; `fallback` when absent.
std::chrono::milliseconds secondsField(lua_State* L, int index, const char* name,
                                       std::chrono::milliseconds fallback);

// Field `name` as a table of string keys to string values (absent: empty);
// anything else raises "<what>: <name> must map names to strings".
std::vector<std::pair<std::string, std::string>> stringMapField(lua_State* L, int index,
                                                                const char* name, const char* what);

// Registers `fn` as field `name` of the table on top of the stack.
void setFunction(lua_State* L, const char* name, lua_CFunction fn);

}  // namespace certctl::lua
