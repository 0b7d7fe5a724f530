#pragma once

#include <lua.hpp>
#include <nlohmann/json.hpp>

namespace certctl::lua {

// JSON <-> Lua values for hook arguments, results and certctl.json. Objects
// become tables with string keys, arrays tables 1..n, null nil.
void pushJson(lua_State* L, const nlohmann::json& value);

// The Lua value at `index` as JSON. A table with keys 1..n (n > 0) is an
// array, any other table an object (an empty one is {}). Functions,
// userdata, cycles and nesting deeper than 64 raise a Lua error.
nlohmann::json toJson(lua_State* L, int index);

}  // namespace certctl::lua
