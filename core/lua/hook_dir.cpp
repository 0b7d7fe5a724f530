#include "certctl/build_info.h"
#include "core/lua/lua_settings.h"

namespace certctl::lua {

std::filesystem::path findHookDir(const std::string& configured) {
  if (!configured.empty()) return configured;
  std::error_code ec;
  auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    auto installed = exe.parent_path() / "../share/certctl/lua";
    if (std::filesystem::is_directory(installed, ec))
      return std::filesystem::weakly_canonical(installed, ec);
  }
  return std::filesystem::path(build::kSourceDir) / "scripts/lua";
}

}  // namespace certctl::lua
