#pragma once

#include <filesystem>
#include <fstream>
#include <string>

#include "core/lua/lua_runtime.h"
#include "tests/support/test_database.h"

namespace certctl::testing {

// A hook directory of its own and a runtime over it.
struct LuaFixture {
  TempDir dir;
  lua::LuaSettings settings;

  LuaFixture() {
    settings.hookDir = dir.path();
    settings.instructionBudget = 5'000'000;
    settings.wallClockBudget = std::chrono::milliseconds(3000);
  }
  void write(const std::string& name, const std::string& text) const {
    auto path = dir.path() / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary) << text;
  }
  // Runs `main(args)` of a script written as hook "t.lua".
  nlohmann::json run(const std::string& source, nlohmann::json args = nlohmann::json::object()) {
    write("t.lua", source);
    return lua::LuaRuntime(settings).run({"t.lua", "main", std::move(args), std::nullopt});
  }
};

}  // namespace certctl::testing
