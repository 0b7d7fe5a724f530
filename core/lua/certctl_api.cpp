#include "core/lua/certctl_api.h"

namespace certctl::lua {

void openCertctlApi(lua_State* L) {
  lua_newtable(L);
  registerLogAndEnv(L);
  registerJson(L);
  registerExec(L);
  registerHttp(L);
  registerPki(L);
  lua_setglobal(L, "certctl");
}

}  // namespace certctl::lua
