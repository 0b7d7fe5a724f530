#include "core/lua/hook_path.h"

#include <algorithm>
#include <cctype>

#include "core/lua/lua_error.h"

namespace certctl::lua {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxNameBytes = 256;

[[noreturn]] void refuse(std::string_view name, const std::string& why) {
  throw LuaError(LuaError::Kind::Rejected,
                 "hook '" + std::string(name.substr(0, kMaxNameBytes)) + "' refused: " + why);
}

bool nameChar(unsigned char c) { return std::isalnum(c) || c == '.' || c == '_' || c == '-'; }

}  // namespace

fs::path resolveHookPath(const fs::path& hookDir, std::string_view name) {
  if (name.empty()) refuse(name, "empty name");
  if (name.size() > kMaxNameBytes) refuse(name, "name too long");
  if (name.front() == '/') refuse(name, "absolute paths are not allowed");
  if (name.size() < 5 || name.substr(name.size() - 4) != ".lua")
    refuse(name, "the name must end in .lua");
  std::size_t start = 0;
  while (start <= name.size()) {
    auto end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    auto part = name.substr(start, end - start);
    if (part.empty() || part == "." || part == "..")
      refuse(name, "empty, '.' and '..' path components are not allowed");
    if (!std::all_of(part.begin(), part.end(), [](char c) { return nameChar(c); }))
      refuse(name, "only letters, digits, '.', '_', '-' and '/' are allowed");
    start = end + 1;
  }
  std::error_code ec;
  const fs::path root = fs::canonical(hookDir, ec);
  if (ec) refuse(name, "the hook directory " + hookDir.string() + " does not exist");
  const fs::path file = fs::canonical(root / fs::path(std::string(name)), ec);
  if (ec) refuse(name, "no such hook in " + root.string());
  // A symlink inside the hook directory must not lead out of it.
  auto rel = file.lexically_relative(root);
  if (rel.empty() || *rel.begin() == "..") refuse(name, "it resolves outside the hook directory");
  if (!fs::is_regular_file(file, ec)) refuse(name, "not a regular file");
  return file;
}

}  // namespace certctl::lua
