#pragma once

#include <lua.hpp>

namespace certctl::lua {

// Opens the libraries a hook may use into `L`: base (print, dofile,
// loadfile, require and string.dump removed; load only takes source text),
// string, table, math, utf8, and an os table of time, clock and date only.
// No io, debug, package or coroutine.
void openSandbox(lua_State* L);

// Loads `source` as text (bytecode is refused) into a function on the stack.
// Returns the luaL_loadbufferx status.
int loadSourceText(lua_State* L, const char* source, size_t size, const char* chunkName);

}  // namespace certctl::lua
