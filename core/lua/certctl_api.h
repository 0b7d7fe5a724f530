#pragma once

#include <lua.hpp>

namespace certctl::lua {

// The global `certctl` table of a hook (docs/lua.md): log, env, json, exec,
// http and pki. Each part registers its functions into the table on top of
// the stack.
void openCertctlApi(lua_State* L);

void registerLogAndEnv(lua_State* L);
void registerJson(lua_State* L);
void registerExec(lua_State* L);
void registerHttp(lua_State* L);
void registerPki(lua_State* L);

}  // namespace certctl::lua
