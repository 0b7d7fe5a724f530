// Issuers are validated by their plugin before anything is written, the
// default local CA exists after the first start, and POST /issuers/{id}/test
// asks the plugin about its CA.
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/support/server_process.h"

using namespace certctl::testing;
namespace fs = std::filesystem;

namespace {

ServerProcessOptions withEchoIssuer(const TempDir& pluginDir) {
  fs::create_directories(pluginDir.path() / "issuers");
  fs::copy_file(CERTCTL_ABI_PLUGIN_ECHO_ISSUER,
                pluginDir.path() / "issuers" / fs::path(CERTCTL_ABI_PLUGIN_ECHO_ISSUER).filename());
  ServerProcessOptions options;
  options.env["CERTCTL_PLUGIN_DIR"] = pluginDir.path().string();
  return options;
}

}  // namespace

TEST_CASE("the default local CA issuer exists after the first start", "[issuers]") {
  ServerProcess server;
  auto issuer = server.get("/api/v1/issuers/iss-local");
  INFO(issuer.body);
  REQUIRE(issuer.status == 200);
  CHECK(issuer.json()["type"] == "GenericCA");
  CHECK_FALSE(issuer.json()["config"].contains("host"));

  auto test = server.post("/api/v1/issuers/iss-local/test", nlohmann::json::object());
  INFO(test.body);
  REQUIRE(test.status == 200);
  CHECK(test.json()["ok"] == true);
  // The self-signed CA was made on first use and kept under the data dir, 0600.
  auto key = server.dataDir() / "issuers" / "iss-local" / "ca.key";
  REQUIRE(fs::exists(key));
  const auto ownerOnly = fs::perms::owner_read | fs::perms::owner_write;
  CHECK((fs::status(key).permissions() & fs::perms::all) == ownerOnly);
}

TEST_CASE("issuer config is validated by the plugin before it is stored", "[issuers]") {
  TempDir pluginDir;
  ServerProcess server(withEchoIssuer(pluginDir));
  auto before = server.get("/api/v1/issuers").json()["total"];

  struct Case {
    const char* what;
    nlohmann::json body;
    const char* field;
  };
  const Case cases[] = {
      {"no plugin of that type", {{"name", "x1"}, {"type", "NoSuchCA"}}, "type"},
      {"the plugin refuses the config",
       {{"name", "x2"}, {"type", "test-echo"}, {"config", {{"prefix", 42}}}},
       "config"},
      {"the host section is reserved",
       {{"name", "x3"}, {"type", "test-echo"}, {"config", {{"host", {{"state_dir", "/"}}}}}},
       "config"},
      {"config is not an object",
       {{"name", "x4"}, {"type", "test-echo"}, {"config", "[]"}},
       "config"},
      {"local CA sub-CA files that do not exist",
       {{"name", "x5"},
        {"type", "GenericCA"},
        {"config", {{"ca_cert_path", "/nonexistent/ca.pem"}, {"ca_key_path", "/nonexistent/k"}}}},
       "config"},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    auto response = server.post("/api/v1/issuers", c.body);
    INFO(response.body);
    CHECK(response.status == 400);
    if (response.status == 400) CHECK(response.json()["error"]["field"] == c.field);
  }
  CHECK(server.get("/api/v1/issuers").json()["total"] == before);

  auto created = server.post(
      "/api/v1/issuers", {{"name", "echo"}, {"type", "test-echo"}, {"config", {{"prefix", "p"}}}});
  INFO(created.body);
  REQUIRE(created.status == 201);
  auto id = created.json()["id"].get<std::string>();

  // An update the plugin refuses leaves the stored config as it was.
  auto refused = server.put("/api/v1/issuers/" + id, {{"config", {{"prefix", 7}}}});
  CHECK(refused.status == 400);
  CHECK(server.get("/api/v1/issuers/" + id).json()["config"]["prefix"] == "p");

  // The alias local-ca is the local CA plugin.
  auto alias =
      server.post("/api/v1/issuers",
                  {{"name", "alias"}, {"type", "local-ca"}, {"config", {{"validity_days", 30}}}});
  INFO(alias.body);
  CHECK(alias.status == 201);
}

TEST_CASE("POST /issuers/{id}/test", "[issuers]") {
  TempDir pluginDir;
  ServerProcess server(withEchoIssuer(pluginDir));
  CHECK(server.post("/api/v1/issuers/iss-nope/test", nlohmann::json::object()).status == 404);

  // A plugin without test_connection: proof that an instance could be made.
  auto created = server.post("/api/v1/issuers", {{"name", "echo"}, {"type", "test-echo"}});
  REQUIRE(created.status == 201);
  auto id = created.json()["id"].get<std::string>();
  auto ok = server.post("/api/v1/issuers/" + id + "/test", nlohmann::json::object());
  INFO(ok.body);
  CHECK(ok.status == 200);
  CHECK(ok.json()["ok"] == true);

  // Its config passes validation but the instance refuses it: a clean 4xx.
  auto refusing =
      server.post("/api/v1/issuers",
                  {{"name", "refusing"}, {"type", "test-echo"}, {"config", {{"refuse", true}}}});
  INFO(refusing.body);
  if (refusing.status == 201) {
    auto rid = refusing.json()["id"].get<std::string>();
    auto failed = server.post("/api/v1/issuers/" + rid + "/test", nlohmann::json::object());
    CHECK(failed.status == 400);
    CHECK(failed.json()["error"]["message"].get<std::string>().find("refused") !=
          std::string::npos);
  }

  // A disabled issuer is not used.
  REQUIRE(server.put("/api/v1/issuers/" + id, {{"enabled", false}}).status == 200);
  auto disabled = server.post("/api/v1/issuers/" + id + "/test", nlohmann::json::object());
  CHECK(disabled.status == 400);
}
