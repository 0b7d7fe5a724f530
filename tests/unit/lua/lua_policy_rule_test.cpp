#include <catch2/catch.hpp>

#include "certctl/build_info.h"
#include "core/app/lua_services.h"
#include "core/services/policy_evaluation.h"
#include "tests/unit/lua/lua_test_support.h"

using namespace certctl;
using nlohmann::json;

namespace {

json luaRule(const std::string& script, const std::string& severity = "Error") {
  return {{"id", "pr-lua"},
          {"name", "lua rule"},
          {"type", "Lua"},
          {"severity", severity},
          {"config", {{"script", script}, {"params", {{"max_days", 30}}}}}};
}

}  // namespace

TEST_CASE("Lua policy rule: the shipped no-wildcards script", "[lua][policies]") {
  lua::LuaSettings settings;
  settings.hookDir = std::filesystem::path(build::kSourceDir) / "scripts/lua";
  lua::LuaRuntime runtime(settings);
  app::registerLuaPolicyRule(runtime);

  services::PolicySubject subject;
  subject.commonName = "*.example.com";
  subject.sans = {"*.example.com", "a.example.com"};
  subject.lifetimeSeconds = 90LL * 86400;
  auto findings = services::evaluatePolicies({luaRule("no-wildcards.lua")}, subject);
  REQUIRE(findings.size() == 2);  // the wildcard once (CN and SAN) ... and the lifetime
  CHECK(findings[0].message == "wildcard name *.example.com is not allowed");
  CHECK(findings[0].severity == "Error");  // the rule's
  CHECK(findings[0].blocking());
  CHECK(findings[0].details["rule_type"] == "Lua");
  CHECK(findings.back().severity == "Warning");  // the script's own
  CHECK_THAT(findings.back().message, Catch::Contains("exceeds 30"));

  subject.commonName = "ok.example.com";
  subject.sans = {"ok.example.com"};
  subject.lifetimeSeconds = 86400;
  CHECK(services::evaluatePolicies({luaRule("policy/no-wildcards.lua")}, subject).empty());
  services::registerExternalPolicyRule("Lua", {});
}

TEST_CASE("Lua policy rule: a failing script fails closed", "[lua][policies]") {
  testing::LuaFixture f;
  f.write("policy/broken.lua", "function evaluate() error('oops') end");
  lua::LuaRuntime runtime(f.settings);
  app::registerLuaPolicyRule(runtime);
  services::PolicySubject subject;
  subject.commonName = "x.example.com";
  auto findings = services::evaluatePolicies({luaRule("broken.lua", "Critical")}, subject);
  REQUIRE(findings.size() == 1);
  CHECK(findings[0].severity == "Critical");
  CHECK_THAT(findings[0].message, Catch::Contains("oops"));
  services::registerExternalPolicyRule("Lua", {});
}
