// The plugin host inside the real server: CERTCTL_PLUGIN_DIR is scanned at
// start, broken plugins are refused without stopping the server, and
// GET /api/v1/plugins lists both with reasons.
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/integration/server/server_test_util.h"
#include "tests/support/server_process.h"

using namespace certctl::testing;
using namespace certctl::testing::server;
namespace fs = std::filesystem;

TEST_CASE("GET /api/v1/plugins lists loaded and refused plugins", "[server][plugins]") {
  TempDir pluginDir;
  for (const char* built : {CERTCTL_ABI_PLUGIN_ECHO_ISSUER, CERTCTL_ABI_PLUGIN_ECHO_TARGET,
                            CERTCTL_ABI_PLUGIN_MAJOR2, CERTCTL_ABI_PLUGIN_NO_ENTRY}) {
    fs::create_directories(pluginDir.path() / "issuers");
    fs::copy_file(built, pluginDir.path() / "issuers" / fs::path(built).filename());
  }
  ServerProcessOptions options;
  options.env["CERTCTL_PLUGIN_DIR"] = pluginDir.path().string();
  ServerProcess server(options);

  auto response = server.get("/api/v1/plugins");
  INFO(response.body);
  REQUIRE(response.status == 200);
  auto body = response.json();
  // The built-in plugins (the local CA ...) load too; look at this test's own.
  nlohmann::json loaded = nlohmann::json::array();
  for (const auto& plugin : body["loaded"])
    if (fs::path(plugin["path"].get<std::string>()).parent_path() ==
        fs::canonical(pluginDir.path() / "issuers"))
      loaded.push_back(plugin);
  REQUIRE(loaded.size() == 2);
  auto issuer = loaded[0];
  CHECK(issuer["kind"] == "issuer");
  CHECK(issuer["type"] == "test-echo");
  CHECK(issuer["version"] == "1.2.3");
  CHECK(issuer["config_schema"]["type"] == "object");
  CHECK(fs::path(issuer["path"].get<std::string>()).parent_path() ==
        fs::canonical(pluginDir.path() / "issuers"));
  CHECK(loaded[1]["kind"] == "target");

  REQUIRE(body["refused"].size() == 2);
  for (const auto& refused : body["refused"]) {
    auto file = fs::path(refused["path"].get<std::string>()).filename().string();
    auto reason = refused["reason"].get<std::string>();
    if (file == fs::path(CERTCTL_ABI_PLUGIN_MAJOR2).filename())
      CHECK_THAT(reason, Catch::Matchers::Contains("plugin ABI major 2"));
    else
      CHECK_THAT(reason, Catch::Matchers::Contains("no entry symbol certctl_plugin_v1"));
  }

  // The listing is an API resource: it needs the key like every other.
  CHECK(server.request("GET", "/api/v1/plugins", {}, {}, "-").status == 401);

  // Start-up logged each refusal and the summary.
  auto lines = jsonLogLines(server.log());
  int refusals = 0;
  bool summary = false;
  for (const auto& line : lines) {
    if (line.value("msg", "") == "plugin refused") ++refusals;
    if (line.value("msg", "").find(" loaded, 2 refused") != std::string::npos) summary = true;
  }
  CHECK(refusals == 2);
  CHECK(summary);
}

TEST_CASE("the built-in plugins load from the server's own plugin dir", "[server][plugins]") {
  ServerProcess server;
  auto response = server.get("/api/v1/plugins");
  INFO(response.body);
  REQUIRE(response.status == 200);
  auto body = response.json();
  CHECK(body["refused"].empty());
  bool localCa = false;
  for (const auto& plugin : body["loaded"])
    if (plugin["kind"] == "issuer" && plugin["type"] == "GenericCA") {
      localCa = true;
      CHECK(plugin["path"].get<std::string>().find("/certctl/plugins/issuers/") !=
            std::string::npos);
      CHECK(plugin["config_schema"]["properties"].contains("validity_days"));
    }
  CHECK(localCa);
}
