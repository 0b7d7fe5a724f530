#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace certctl::lua {

// What every hook run is allowed (docs/lua.md). Filled from CERTCTL_LUA_*.
struct LuaSettings {
  std::filesystem::path hookDir;  // scripts are loaded from here only
  std::uint64_t instructionBudget = 100'000'000;
  std::chrono::milliseconds wallClockBudget{60'000};
  std::size_t memoryLimitBytes = std::size_t{64} << 20;
  // certctl.http may reach loopback addresses (tests, local DNS APIs).
  bool httpAllowLoopback = false;
  // Variables certctl.env may read besides CERTCTL_DNS_*.
  std::vector<std::string> envAllow;
};

// CERTCTL_LUA_HOOK_DIR when set; else <exe>/../share/certctl/lua when it
// exists (an installed server); else the source tree's scripts/lua.
std::filesystem::path findHookDir(const std::string& configured);

}  // namespace certctl::lua
