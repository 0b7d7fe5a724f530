#include <catch2/catch.hpp>

#include <chrono>

#include "core/lua/lua_error.h"
#include "tests/unit/lua/lua_test_support.h"

using certctl::lua::LuaError;
using certctl::testing::LuaFixture;
using Clock = std::chrono::steady_clock;

namespace {

LuaError failure(LuaFixture& f, const std::string& source) {
  try {
    f.run(source);
  } catch (const LuaError& e) {
    return e;
  }
  FAIL("the hook finished");
  return LuaError(LuaError::Kind::Failed, "");
}

}  // namespace

TEST_CASE("lua budget: an endless loop is stopped by the instruction budget", "[lua]") {
  LuaFixture f;
  f.settings.wallClockBudget = std::chrono::seconds(30);
  auto start = Clock::now();
  auto e = failure(f, "function main() while true do end end");
  CHECK(e.kind() == LuaError::Kind::Rejected);
  CHECK_THAT(e.what(), Catch::Contains("hook exceeded its instruction budget"));
  CHECK(Clock::now() - start < std::chrono::seconds(10));
}

TEST_CASE("lua budget: pcall cannot swallow the budget error", "[lua]") {
  LuaFixture f;
  auto e = failure(f, R"(function main()
    while true do pcall(function() while true do end end) end
  end)");
  CHECK_THAT(e.what(), Catch::Contains("budget"));
}

TEST_CASE("lua budget: a busy loop is stopped by the wall clock", "[lua]") {
  LuaFixture f;
  f.settings.instructionBudget = 100'000'000'000ULL;
  f.settings.wallClockBudget = std::chrono::milliseconds(500);
  auto start = Clock::now();
  auto e = failure(f, "function main() while true do local x = string.rep('a', 10) end end");
  CHECK_THAT(e.what(), Catch::Contains("hook exceeded its wall-clock budget"));
  CHECK(Clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("lua budget: a sleeping exec is stopped by the wall clock", "[lua]") {
  LuaFixture f;
  f.settings.wallClockBudget = std::chrono::milliseconds(700);
  auto start = Clock::now();
  auto e = failure(f, "function main() certctl.exec{argv = {'sleep', '30'}, timeout = 60} end");
  CHECK_THAT(e.what(), Catch::Contains("hook exceeded its wall-clock budget"));
  CHECK(Clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("lua budget: memory is limited", "[lua]") {
  LuaFixture f;
  f.settings.memoryLimitBytes = 8 << 20;
  f.settings.instructionBudget = 1'000'000'000;
  auto e = failure(f, "function main() local t = {} for i = 1, 1e8 do t[i] = i end end");
  CHECK_THAT(e.what(), Catch::Contains("memory"));
}
