#include "core/lua/api_support.h"

#include <cmath>

namespace certctl::lua {

std::optional<std::string> optionalStringField(lua_State* L, int index, const char* name) {
  lua_getfield(L, index, name);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return std::nullopt;
  }
  if (lua_type(L, -1) != LUA_TSTRING) luaL_error(L, "field '%s' must be a string", name);
  size_t size = 0;
  const char* text = lua_tolstring(L, -1, &size);
  std::string value(text, size);
  lua_pop(L, 1);
  return value;
}

std::chrono::milliseconds secondsField(lua_State* L, int index, const char* name,
                                       std::chrono::milliseconds fallback) {
  lua_getfield(L, index, name);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    return fallback;
  }
  if (lua_type(L, -1) != LUA_TNUMBER) luaL_error(L, "field '%s' must be a number", name);
  double seconds = lua_tonumber(L, -1);
  lua_pop(L, 1);
  if (!std::isfinite(seconds) || seconds <= 0 || seconds > 86400)
    luaL_error(L, "field '%s' must be between 0 and 86400 seconds", name);
  return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
}

std::vector<std::pair<std::string, std::string>> stringMapField(lua_State* L, int index,
                                                                const char* name,
                                                                const char* what) {
  std::vector<std::pair<std::string, std::string>> out;
  lua_getfield(L, index, name);
  if (!lua_isnil(L, -1) && !lua_istable(L, -1))
    luaL_error(L, "%s: %s must map names to strings", what, name);
  if (lua_istable(L, -1)) {
    lua_pushnil(L);
    while (lua_next(L, -2) != 0) {
      if (lua_type(L, -2) != LUA_TSTRING || lua_type(L, -1) != LUA_TSTRING)
        luaL_error(L, "%s: %s must map names to strings", what, name);
      out.emplace_back(lua_tostring(L, -2), lua_tostring(L, -1));
      lua_pop(L, 1);
    }
  }
  lua_pop(L, 1);
  return out;
}

void setFunction(lua_State* L, const char* name, lua_CFunction fn) {
  lua_pushcfunction(L, fn);
  lua_setfield(L, -2, name);
}

}  // namespace certctl::lua
