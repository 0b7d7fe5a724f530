#include <catch2/catch.hpp>

#include "core/lua/lua_error.h"
#include "tests/unit/lua/lua_test_support.h"

using certctl::lua::LuaError;
using certctl::testing::LuaFixture;

TEST_CASE("lua sandbox: dangerous globals are absent", "[lua]") {
  LuaFixture f;
  auto r = f.run(R"(function main()
    return {os_execute = os.execute == nil, io = io == nil, popen = (io and io.popen) == nil,
            debug = debug == nil, loadfile = loadfile == nil, dofile = dofile == nil,
            package = package == nil, require = require == nil, dump = string.dump == nil,
            os_time = type(os.time) == "function", os_getenv = os.getenv == nil,
            os_remove = os.remove == nil, string = type(string.format) == "function"}
  end)");
  for (const auto& [name, ok] : r.items()) {
    INFO(name);
    CHECK(ok.get<bool>());
  }
}

TEST_CASE("lua sandbox: load takes source text only, bytecode is refused", "[lua]") {
  LuaFixture f;
  CHECK(f.run("function main() return load('return 1 + 2')() end") == 3);
  // A binary chunk starts with ESC "Lua"; load must refuse it even if asked for mode "b".
  auto r = f.run(R"(function main()
    local fn, err = load("\27Lua\84\0\25\147\13\10\26\10", "x", "b")
    return {fn = fn == nil, err = tostring(err)}
  end)");
  CHECK(r["fn"] == true);
  CHECK_THAT(r["err"].get<std::string>(), Catch::Contains("binary"));
}

TEST_CASE("lua sandbox: a bytecode hook file is refused", "[lua]") {
  LuaFixture f;
  f.write("b.lua", std::string("\x1bLua\x54\x00", 6));
  REQUIRE_THROWS_AS(certctl::lua::LuaRuntime(f.settings).run({"b.lua", "main", {}, std::nullopt}),
                    LuaError);
}

TEST_CASE("lua hooks: path traversal and absolute names are refused", "[lua]") {
  LuaFixture f;
  f.write("ok.lua", "function main() return 1 end");
  certctl::lua::LuaRuntime runtime(f.settings);
  CHECK(runtime.run({"ok.lua", "main", {}, std::nullopt}) == 1);
  for (std::string bad : {"../ok.lua", "/etc/passwd.lua", "a/../ok.lua", "./ok.lua", "ok",
                          "a//ok.lua", "ok.lua\n", "x$(id).lua"}) {
    INFO(bad);
    try {
      runtime.run({bad, "main", {}, std::nullopt});
      FAIL("accepted");
    } catch (const LuaError& e) {
      CHECK(e.kind() == LuaError::Kind::Rejected);
    }
  }
  // A symlink pointing out of the hook directory.
  certctl::testing::TempDir outside;
  std::ofstream(outside.path() / "evil.lua") << "function main() return 2 end";
  std::filesystem::create_symlink(outside.path() / "evil.lua", f.dir.path() / "link.lua");
  CHECK_THROWS_WITH(runtime.run({"link.lua", "main", {}, std::nullopt}),
                    Catch::Contains("outside the hook directory"));
}

TEST_CASE("lua hooks: a missing function and a script error map to clean errors", "[lua]") {
  LuaFixture f;
  try {
    f.run("function other() end");
    FAIL("ran");
  } catch (const LuaError& e) {
    CHECK(e.kind() == LuaError::Kind::Rejected);
    CHECK_THAT(e.what(), Catch::Contains("has no function main"));
  }
  try {
    f.run("function main() error('boom') end");
    FAIL("ran");
  } catch (const LuaError& e) {
    CHECK(e.kind() == LuaError::Kind::Failed);
    CHECK_THAT(e.what(), Catch::Contains("boom"));
  }
  try {
    f.run("function main() error({status = 'REJECTED', message = 'no such zone'}) end");
    FAIL("ran");
  } catch (const LuaError& e) {
    CHECK(e.kind() == LuaError::Kind::Rejected);
    CHECK_THAT(e.what(), Catch::Contains("no such zone"));
  }
}

TEST_CASE("lua hooks: args and results cross as JSON", "[lua]") {
  LuaFixture f;
  auto r = f.run(R"(function main(args)
    return {sum = args.a + args.b, names = args.names, n = #args.names,
            enc = certctl.json.encode({x = 1}), dec = certctl.json.decode('{"y":[1,2]}').y[2]}
  end)",
                 {{"a", 2}, {"b", 3}, {"names", {"x", "y"}}});
  CHECK(r["sum"] == 5);
  CHECK(r["names"] == nlohmann::json({"x", "y"}));
  CHECK(r["n"] == 2);
  CHECK(r["enc"] == "{\"x\":1}");
  CHECK(r["dec"] == 2);
}
