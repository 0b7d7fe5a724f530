#include <nlohmann/json.hpp>

#include "core/lua/api_support.h"
#include "core/lua/certctl_api.h"
#include "core/lua/json_bridge.h"

namespace certctl::lua {

namespace {

// certctl.json.encode(value) -> string
int encode(lua_State* L) {
  luaL_checkany(L, 1);
  std::string text = toJson(L, 1).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  lua_pushlstring(L, text.data(), text.size());
  return 1;
}

// certctl.json.decode(string) -> value; raises on malformed JSON
int decode(lua_State* L) {
  size_t size = 0;
  const char* text = luaL_checklstring(L, 1, &size);
  auto value = nlohmann::json::parse(text, text + size, nullptr, false);
  if (value.is_discarded()) return luaL_error(L, "json.decode: malformed JSON");
  pushJson(L, value);
  return 1;
}

}  // namespace

void registerJson(lua_State* L) {
  lua_newtable(L);
  setFunction(L, "encode", &guarded<encode>);
  setFunction(L, "decode", &guarded<decode>);
  lua_setfield(L, -2, "json");
}

}  // namespace certctl::lua
