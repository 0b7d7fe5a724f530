// API-key authentication of the real certctl-server: the generated key file,
// rotation with several keys, named keys and the admin role, the 401
// envelope, and CERTCTL_AUTH_TYPE=none.
#include <catch2/catch.hpp>

#include "tests/integration/server/server_test_util.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"

using namespace certctl::testing;
using namespace certctl::testing::server;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

void checkUnauthorized(const HttpResult& r) {
  INFO(r.status << " " << r.body);
  CHECK(r.status == 401);
  CHECK(r.header("www-authenticate").rfind("Bearer", 0) == 0);
  CHECK(r.header("content-type").find("application/json") != std::string::npos);
  auto body = json::parse(r.body, nullptr, false);
  REQUIRE(body.is_object());
  CHECK(body["error"]["code"] == "unauthorized");
  CHECK(body["error"]["message"].is_string());
  CHECK(!body["error"]["message"].get<std::string>().empty());
  REQUIRE(body["request_id"].is_string());
  CHECK(body["request_id"] == r.header("x-request-id"));
}

}  // namespace

TEST_CASE("without CERTCTL_AUTH_SECRET the server generates <data>/api-key and requires it",
          "[server][auth]") {
  ServerProcess server;
  auto keyFile = server.dataDir() / "api-key";
  REQUIRE(fs::is_regular_file(keyFile));
  CHECK(fileMode(keyFile) == 0600);
  const std::string key = server.apiKey();
  REQUIRE(key.size() >= 32);
  CHECK(key.find_first_of(" \t\r\n") == std::string::npos);

  auto check = server.get("/api/v1/auth/check");
  REQUIRE(check.status == 200);
  CHECK(check.json()["authenticated"] == true);
  CHECK(check.json()["actor"] == "key-1");
  CHECK(server.get("/api/v1/teams").status == 200);

  // Missing, wrong, almost-right and wrongly framed keys are all refused.
  checkUnauthorized(server.request("GET", "/api/v1/teams", {}, {}, "-"));
  checkUnauthorized(server.request("GET", "/api/v1/teams", {}, {}, "wrong-key-0123456789abcdef"));
  checkUnauthorized(server.request("GET", "/api/v1/teams", {}, {}, key.substr(0, key.size() - 1)));
  checkUnauthorized(server.request("GET", "/api/v1/teams", {}, {}, key + "x"));
  checkUnauthorized(server.request("GET", "/api/v1/auth/check", {}, {}, "-"));
  checkUnauthorized(
      server.request("GET", "/api/v1/teams", {}, {{"Authorization", "Basic " + key}}, "-"));
  checkUnauthorized(server.request("GET", "/api/v1/teams", {}, {{"Authorization", key}}, "-"));
  // The scheme is case-insensitive (RFC 7235); the key is not.
  CHECK(server.request("GET", "/api/v1/teams", {}, {{"Authorization", "bearer " + key}}, "-")
            .status == 200);

  // Writes are refused too, and change nothing.
  checkUnauthorized(server.request("POST", "/api/v1/teams", R"({"name":"sneaky"})", {}, "-"));
  CHECK(server.get("/api/v1/teams").json()["total"] == 0);

  // Without a key, unknown API paths look exactly like known ones.
  checkUnauthorized(server.request("GET", "/api/v1/no-such-thing", {}, {}, "-"));
  checkUnauthorized(server.request("DELETE", "/api/v1/teams", {}, {}, "-"));

  // Neither the key nor a wrong one ever reaches the log.
  auto log = server.log();
  CHECK(log.find(key) == std::string::npos);
  CHECK(log.find("wrong-key-0123456789abcdef") == std::string::npos);
  CHECK(log.find(key.substr(0, key.size() - 1)) == std::string::npos);
}

TEST_CASE("/api/v1/auth/info needs no key and reports the auth type", "[server][auth]") {
  ServerProcess server;
  auto info = server.request("GET", "/api/v1/auth/info", {}, {}, "-");
  REQUIRE(info.status == 200);
  CHECK(info.json()["auth_type"] == "api-key");
  CHECK(info.json()["required"] == true);
  // A wrong key does not turn the public endpoint into a 401.
  CHECK(server.request("GET", "/api/v1/auth/info", {}, {}, "wrong-key-0123456789abcdef").status ==
        200);
}

TEST_CASE("CERTCTL_AUTH_SECRET with two keys: both work during rotation", "[server][auth]") {
  const std::string k1 = "first-rotation-key-AAAAAAAA";
  const std::string k2 = "second-rotation-key-BBBBBBB";
  ServerProcessOptions options;
  options.env["CERTCTL_AUTH_SECRET"] = " " + k1 + " , " + k2 + " ";
  ServerProcess server(options);

  auto one = server.request("GET", "/api/v1/auth/check", {}, {}, k1);
  REQUIRE(one.status == 200);
  CHECK(one.json()["actor"] == "key-1");
  auto two = server.request("GET", "/api/v1/auth/check", {}, {}, k2);
  REQUIRE(two.status == 200);
  CHECK(two.json()["actor"] == "key-2");
  checkUnauthorized(server.request("GET", "/api/v1/auth/check", {}, {}, k1 + "," + k2));
  checkUnauthorized(server.request("GET", "/api/v1/auth/check", {}, {}, "-"));
  checkUnauthorized(server.request("GET", "/api/v1/auth/check", {}, {}, " "));

  // Configured keys are used as given: nothing is generated on disk.
  CHECK_FALSE(fs::exists(server.dataDir() / "api-key"));
  auto log = server.log();
  CHECK(log.find(k1) == std::string::npos);
  CHECK(log.find(k2) == std::string::npos);
}

TEST_CASE("CERTCTL_API_KEYS_NAMED: named actors, and only :admin keys reach admin endpoints",
          "[server][auth]") {
  const std::string legacy = "legacy-admin-key-CCCCCCCC";
  const std::string ops = "operator-key-DDDDDDDDDDDD";
  const std::string boss = "admin-key-EEEEEEEEEEEEEEE";
  ServerProcessOptions options;
  options.env["CERTCTL_AUTH_SECRET"] = legacy;
  options.env["CERTCTL_API_KEYS_NAMED"] = "ops-bot:" + ops + ", boss:" + boss + ":admin";
  options.env["CERTCTL_EST_ENABLED"] = "true";
  ServerProcess server(options);

  auto check = [&](const std::string& key) {
    auto r = server.request("GET", "/api/v1/auth/check", {}, {}, key);
    REQUIRE(r.status == 200);
    return r.json();
  };
  CHECK(check(ops) == json{{"authenticated", true}, {"actor", "ops-bot"}, {"role", "operator"}});
  CHECK(check(boss) == json{{"authenticated", true}, {"actor", "boss"}, {"role", "admin"}});
  CHECK(check(legacy)["role"] == "admin");

  // The operator works with the inventory but not the admin endpoints.
  CHECK(server.request("GET", "/api/v1/certificates", {}, {}, ops).status == 200);
  const std::vector<std::pair<std::string, std::string>> adminOnly = {
      {"GET", "/api/v1/admin/est/profiles"},
      {"POST", "/api/v1/admin/est/reload-trust"},
      {"GET", "/api/v1/admin/scep/profiles"},
      {"GET", "/api/v1/admin/crl/cache"},
      {"POST", "/api/v1/certificates/bulk-revoke"}};
  for (const auto& [method, path] : adminOnly) {
    const std::string body = method == "POST" ? R"({"issuer_id":"iss-none"})" : "";
    auto refused = server.request(method, path, body, {{"Content-Type", "application/json"}}, ops);
    INFO(method << " " << path << " " << refused.body);
    CHECK(refused.status == 403);
    auto error = json::parse(refused.body, nullptr, false);
    REQUIRE(error.is_object());
    CHECK(error["error"]["code"] == "forbidden");
    CHECK(server.request(method, path, body, {{"Content-Type", "application/json"}}, boss).status !=
          403);
  }
  CHECK(server.request("GET", "/api/v1/admin/est/profiles", {}, {}, boss).status == 200);

  // The audit trail names the key that acted.
  auto audit = server.get("/api/v1/audit?actor=ops-bot&per_page=100");
  REQUIRE(audit.status == 200);
  INFO(audit.body);
  CHECK(audit.json()["data"].size() >= 5);
  auto log = server.log();
  CHECK(log.find(ops) == std::string::npos);
  CHECK(log.find(boss) == std::string::npos);
}

TEST_CASE("CERTCTL_API_KEYS_NAMED refuses malformed entries without echoing keys",
          "[server][auth]") {
  TempDir data;
  auto start = [&](const std::string& named) {
    std::map<std::string, std::string> env = {
        {"CERTCTL_SERVER_HOST", "127.0.0.1"},
        {"CERTCTL_SERVER_PORT", std::to_string(freeLoopbackPort())},
        {"CERTCTL_DATA_DIR", (data.path() / "data").string()},
        {"CERTCTL_API_KEYS_NAMED", named}};
    return runProcess({serverBinary()}, isolatedEnvironment(env), std::chrono::seconds(20));
  };
  auto shortKey = start("ops:tooShortKey99");
  INFO(shortKey.output);
  CHECK(shortKey.exitCode > 0);
  CHECK(shortKey.output.find("CERTCTL_API_KEYS_NAMED") != std::string::npos);
  CHECK(shortKey.output.find("tooShortKey99") == std::string::npos);
  auto badRole = start("ops:0123456789abcdef0123:root");
  INFO(badRole.output);
  CHECK(badRole.exitCode > 0);
  CHECK(badRole.output.find("only be admin") != std::string::npos);
  auto shared = start("a:0123456789abcdef0123,b:0123456789abcdef0123:admin");
  INFO(shared.output);
  CHECK(shared.exitCode > 0);
  CHECK(shared.output.find("also the key of a") != std::string::npos);
  CHECK(shared.output.find("0123456789abcdef0123") == std::string::npos);
}

TEST_CASE("CERTCTL_AUTH_TYPE=none opens the API with a loud warning", "[server][auth]") {
  ServerProcessOptions options;
  options.env["CERTCTL_AUTH_TYPE"] = "none";
  ServerProcess server(options);

  auto list = server.request("GET", "/api/v1/teams", {}, {}, "-");
  CHECK(list.status == 200);
  auto check = server.request("GET", "/api/v1/auth/check", {}, {}, "-");
  CHECK(check.status == 200);
  CHECK(server.request("POST", "/api/v1/teams", R"({"name":"open-team"})", {}, "-").status == 201);
  auto info = server.request("GET", "/api/v1/auth/info", {}, {}, "-");
  CHECK(info.json()["auth_type"] == "none");
  CHECK(info.json()["required"] == false);
  CHECK_FALSE(fs::exists(server.dataDir() / "api-key"));

  bool warned = false;
  for (const auto& line : jsonLogLines(server.log())) {
    std::string msg = line.value("msg", "");
    if (msg.find("CERTCTL_AUTH_TYPE=none") != std::string::npos &&
        (line.value("level", "") == "warning" || line.value("level", "") == "warn" ||
         line.value("level", "") == "critical"))
      warned = true;
  }
  INFO(server.log());
  CHECK(warned);
}
