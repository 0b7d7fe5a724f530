#include "core/lua/json_bridge.h"

#include <cmath>
#include <string>

namespace certctl::lua {

using nlohmann::json;

namespace {

constexpr int kMaxDepth = 64;

// 1..n with no holes and nothing else: a JSON array.
bool isSequence(lua_State* L, int index) {
  lua_Integer count = 0;
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    lua_pop(L, 1);
    if (!lua_isinteger(L, -1)) {
      lua_pop(L, 1);
      return false;
    }
    ++count;
  }
  return count > 0 && static_cast<lua_Integer>(lua_rawlen(L, index)) == count;
}

json convert(lua_State* L, int index, int depth) {
  index = lua_absindex(L, index);
  switch (lua_type(L, index)) {
    case LUA_TNIL:
    case LUA_TNONE:
      return nullptr;
    case LUA_TBOOLEAN:
      return lua_toboolean(L, index) != 0;
    case LUA_TNUMBER:
      if (lua_isinteger(L, index)) return static_cast<long long>(lua_tointeger(L, index));
      if (!std::isfinite(lua_tonumber(L, index)))
        luaL_error(L, "cannot convert a non-finite number to JSON");
      return lua_tonumber(L, index);
    case LUA_TSTRING: {
      size_t size = 0;
      const char* text = lua_tolstring(L, index, &size);
      return std::string(text, size);
    }
    case LUA_TTABLE:
      break;
    default:
      luaL_error(L, "cannot convert a %s to JSON", luaL_typename(L, index));
  }
  if (depth >= kMaxDepth)
    luaL_error(L, "tables nested deeper than %d levels (a cycle?)", kMaxDepth);
  luaL_checkstack(L, 4, "converting to JSON");
  if (isSequence(L, index)) {
    json out = json::array();
    const auto n = static_cast<lua_Integer>(lua_rawlen(L, index));
    for (lua_Integer i = 1; i <= n; ++i) {
      lua_rawgeti(L, index, i);
      out.push_back(convert(L, -1, depth + 1));
      lua_pop(L, 1);
    }
    return out;
  }
  json out = json::object();
  lua_pushnil(L);
  while (lua_next(L, index) != 0) {
    std::string key;
    if (lua_type(L, -2) == LUA_TSTRING) {
      size_t size = 0;
      const char* text = lua_tolstring(L, -2, &size);
      key.assign(text, size);
    } else if (lua_isinteger(L, -2)) {
      key = std::to_string(lua_tointeger(L, -2));
    } else {
      luaL_error(L, "cannot convert a table key of type %s to JSON", luaL_typename(L, -2));
    }
    out[key] = convert(L, -1, depth + 1);
    lua_pop(L, 1);
  }
  return out;
}

void push(lua_State* L, const json& value, int depth) {
  if (depth >= kMaxDepth) luaL_error(L, "JSON nested deeper than %d levels", kMaxDepth);
  luaL_checkstack(L, 3, "converting from JSON");
  switch (value.type()) {
    case json::value_t::null:
    case json::value_t::discarded:
      lua_pushnil(L);
      return;
    case json::value_t::boolean:
      lua_pushboolean(L, value.get<bool>() ? 1 : 0);
      return;
    case json::value_t::number_integer:
      lua_pushinteger(L, static_cast<lua_Integer>(value.get<long long>()));
      return;
    case json::value_t::number_unsigned:
      lua_pushinteger(L, static_cast<lua_Integer>(value.get<unsigned long long>()));
      return;
    case json::value_t::number_float:
      lua_pushnumber(L, value.get<double>());
      return;
    case json::value_t::string: {
      const auto& text = value.get_ref<const std::string&>();
      lua_pushlstring(L, text.data(), text.size());
      return;
    }
    case json::value_t::array: {
      lua_createtable(L, static_cast<int>(value.size()), 0);
      lua_Integer i = 1;
      for (const auto& item : value) {
        push(L, item, depth + 1);
        lua_rawseti(L, -2, i++);
      }
      return;
    }
    case json::value_t::object: {
      lua_createtable(L, 0, static_cast<int>(value.size()));
      for (const auto& [key, item] : value.items()) {
        lua_pushlstring(L, key.data(), key.size());  // keys may hold NUL bytes
        push(L, item, depth + 1);
        lua_rawset(L, -3);
      }
      return;
    }
    default:
      lua_pushnil(L);
  }
}

}  // namespace

void pushJson(lua_State* L, const json& value) { push(L, value, 0); }

json toJson(lua_State* L, int index) { return convert(L, index, 0); }

}  // namespace certctl::lua
