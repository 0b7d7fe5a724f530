// Policy rule type Lua on the real server: the shipped
// scripts/lua/policy/no-wildcards.lua records a violation for a wildcard
// name (blocking at severity Error), and a broken script fails closed.
#include <catch2/catch.hpp>

#include "tests/integration/lifecycle/lifecycle_test_util.h"

using namespace certctl::testing;
using namespace certctl::testing::lifecycle;
using nlohmann::json;

namespace {

json createPolicy(ServerProcess& server, const json& body) {
  auto r = server.post("/api/v1/policies", body);
  INFO(r.body);
  REQUIRE(r.status == 201);
  return r.json();
}

json violationsOf(ServerProcess& server, const json& rule) {
  auto r = server.get("/api/v1/policies/" + rule["id"].get<std::string>() + "/violations");
  REQUIRE(r.status == 200);
  return r.json()["data"];
}

}  // namespace

TEST_CASE("policy rules: a Lua rule records its violations", "[lifecycle][policies][lua]") {
  ServerProcess server(keygen("server"));
  json rule = createPolicy(server, {{"name", "No wildcards"},
                                    {"type", "Lua"},
                                    {"severity", "Error"},
                                    {"config", {{"script", "no-wildcards.lua"}}}});
  json wildcard = createCertificate(server, "wild", "*.example.com");
  json plain = createCertificate(server, "plain", "plain.example.com");

  json failed = waitForJob(server, wildcard["id"], "Failed");
  CHECK_THAT(failed["last_error"].get<std::string>(),
             Catch::Matchers::Contains("wildcard name *.example.com is not allowed"));
  waitForJob(server, plain["id"], "Completed");

  json v = violationsOf(server, rule);
  REQUIRE(v.size() == 1);
  CHECK(v[0]["certificate_id"] == wildcard["id"]);
  CHECK(v[0]["severity"] == "Error");
  CHECK(v[0]["details"]["rule_type"] == "Lua");
}

TEST_CASE("policy rules: Lua rule configs are validated", "[lifecycle][policies][lua]") {
  ServerProcess server;
  for (const json& config : {json::object(), json{{"script", "../x.lua"}},
                             json{{"script", "no-wildcards.lua"}, {"params", "x"}}}) {
    auto r =
        server.post("/api/v1/policies", {{"name", "bad"}, {"type", "Lua"}, {"config", config}});
    INFO(r.body);
    CHECK(r.status == 400);
  }
}
