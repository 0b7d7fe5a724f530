#pragma once

#include <filesystem>
#include <string_view>

namespace certctl::lua {

// The file of hook `name` ("dns/example.lua") inside `hookDir`. Only
// relative names of [A-Za-z0-9._-] components ending in .lua are accepted:
// no absolute path, no "..", and the resolved file (symlinks followed) must
// still be inside the hook directory. Throws LuaError(Rejected).
std::filesystem::path resolveHookPath(const std::filesystem::path& hookDir, std::string_view name);

}  // namespace certctl::lua
