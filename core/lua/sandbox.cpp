#include "core/lua/sandbox.h"

#include <initializer_list>

namespace certctl::lua {

namespace {

// load(chunk [, chunkname [, mode [, env]]]) for strings only, always as text:
// a precompiled chunk could break the VM's invariants.
int sandboxLoad(lua_State* L) {
  size_t size = 0;
  const char* source = luaL_checklstring(L, 1, &size);
  const char* chunkName = luaL_optstring(L, 2, "=(load)");
  const bool hasEnv = !lua_isnone(L, 4);
  if (loadSourceText(L, source, size, chunkName) != LUA_OK) {
    lua_pushnil(L);
    lua_insert(L, -2);
    return 2;
  }
  if (hasEnv) {
    lua_pushvalue(L, 4);
    if (lua_setupvalue(L, -2, 1) == nullptr) lua_pop(L, 1);
  }
  return 1;
}

void requireLib(lua_State* L, const char* name, lua_CFunction open) {
  luaL_requiref(L, name, open, 1);
  lua_pop(L, 1);
}

void removeGlobal(lua_State* L, const char* name) {
  lua_pushnil(L);
  lua_setglobal(L, name);
}

void keepOnly(lua_State* L, const char* table, std::initializer_list<const char*> keep) {
  lua_getglobal(L, table);
  lua_newtable(L);
  for (const char* name : keep) {
    lua_getfield(L, -2, name);
    lua_setfield(L, -2, name);
  }
  lua_setglobal(L, table);
  lua_pop(L, 1);
}

}  // namespace

int loadSourceText(lua_State* L, const char* source, size_t size, const char* chunkName) {
  return luaL_loadbufferx(L, source, size, chunkName, "t");
}

void openSandbox(lua_State* L) {
  requireLib(L, LUA_GNAME, luaopen_base);
  requireLib(L, LUA_STRLIBNAME, luaopen_string);
  requireLib(L, LUA_TABLIBNAME, luaopen_table);
  requireLib(L, LUA_MATHLIBNAME, luaopen_math);
  requireLib(L, LUA_UTF8LIBNAME, luaopen_utf8);
  requireLib(L, LUA_OSLIBNAME, luaopen_os);
  keepOnly(L, LUA_OSLIBNAME, {"time", "clock", "date", "difftime"});
  for (const char* name : {"dofile", "loadfile", "require", "print", "collectgarbage"})
    removeGlobal(L, name);
  lua_pushcfunction(L, &sandboxLoad);
  lua_setglobal(L, "load");
  lua_getglobal(L, LUA_STRLIBNAME);
  lua_pushnil(L);
  lua_setfield(L, -2, "dump");
  lua_pop(L, 1);
  // The string metatable's __index is the string table itself, so
  // ("x"):dump() is gone too.
}

}  // namespace certctl::lua
