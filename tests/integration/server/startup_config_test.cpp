// Start-up of the real certctl-server binary: configuration errors, --help,
// --config files, and a clean exit on SIGTERM.
#include <catch2/catch.hpp>

#include "tests/integration/server/server_test_util.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"

using namespace certctl::testing;
using namespace certctl::testing::server;
using namespace std::chrono_literals;

namespace {

// Runs the server with `extra` on top of a harmless base (own data dir, free
// port), so a value that is wrongly accepted starts a server that the
// timeout then kills: that shows up as exit code -1, not 2.
ProcessResult runWith(const std::map<std::string, std::string>& extra,
                      const std::vector<std::string>& args = {}) {
  static TempDir dataDir;
  std::map<std::string, std::string> env = {
      {"CERTCTL_SERVER_HOST", "127.0.0.1"},
      {"CERTCTL_SERVER_PORT", std::to_string(freeLoopbackPort())},
      {"CERTCTL_DATA_DIR", (dataDir.path() / "data").string()},
      {"CERTCTL_LOG_FORMAT", "text"},
  };
  for (const auto& [k, v] : extra) env[k] = v;
  std::vector<std::string> argv = {serverBinary()};
  argv.insert(argv.end(), args.begin(), args.end());
  return runProcess(argv, isolatedEnvironment(env), 15s);
}

}  // namespace

TEST_CASE("an invalid setting stops the start with exit code 2 naming the variable",
          "[server][config]") {
  struct Case {
    std::string name, value;
  };
  const std::vector<Case> cases = {
      {"CERTCTL_SERVER_PORT", "abc"},
      {"CERTCTL_SERVER_PORT", "70000"},
      {"CERTCTL_SERVER_PORT", "84 43"},
      {"CERTCTL_LOG_LEVEL", "loud"},
      {"CERTCTL_LOG_FORMAT", "xml"},
      {"CERTCTL_DATABASE_URL", "mysql://x"},
      {"CERTCTL_DATABASE_MAX_CONNS", "0"},
      {"CERTCTL_AUTH_TYPE", "magic"},
      {"CERTCTL_RATE_LIMIT_ENABLED", "maybe"},
      {"CERTCTL_RATE_LIMIT_RPS", "0"},
      {"CERTCTL_RATE_LIMIT_BURST", "-1"},
      {"CERTCTL_CORS_ORIGINS", "ui.example"},
      {"CERTCTL_MAX_BODY_BYTES", "12"},
      {"CERTCTL_SCHEDULER_RENEWAL_CHECK_INTERVAL", "often"},
      {"CERTCTL_INSECURE_HTTP", "perhaps"},
  };
  for (const auto& c : cases) {
    INFO(c.name << "=" << c.value);
    auto result = runWith({{c.name, c.value}});
    INFO(result.output);
    CHECK(result.exitCode == 2);
    CHECK(result.output.find(c.name) != std::string::npos);
  }
}

TEST_CASE("configuration errors never echo secrets", "[server][config]") {
  SECTION("a short API key is refused without showing any key") {
    auto result = runWith({{"CERTCTL_AUTH_SECRET", "long-enough-key-number-one,tiny-key-xyz"}});
    INFO(result.output);
    CHECK(result.exitCode == 2);
    CHECK(result.output.find("CERTCTL_AUTH_SECRET") != std::string::npos);
    CHECK(result.output.find("tiny-key-xyz") == std::string::npos);
    CHECK(result.output.find("long-enough-key-number-one") == std::string::npos);
  }
  SECTION("a bad database URL is refused without showing its password") {
    auto result = runWith({{"CERTCTL_DATABASE_URL", "postgres://certctl:hunter2pw@db:99999/x"}});
    INFO(result.output);
    CHECK(result.exitCode == 2);
    CHECK(result.output.find("CERTCTL_DATABASE_URL") != std::string::npos);
    CHECK(result.output.find("hunter2pw") == std::string::npos);
  }
}

TEST_CASE("the --help output exits 0 and lists the CERTCTL_ variables", "[server][config]") {
  auto result = runProcess({serverBinary(), "--help"}, isolatedEnvironment({}), 15s);
  INFO(result.output);
  CHECK(result.exitCode == 0);
  for (const char* name :
       {"CERTCTL_SERVER_HOST", "CERTCTL_SERVER_PORT", "CERTCTL_DATA_DIR", "CERTCTL_DATABASE_URL",
        "CERTCTL_LOG_LEVEL", "CERTCTL_LOG_FORMAT", "CERTCTL_AUTH_TYPE", "CERTCTL_AUTH_SECRET",
        "CERTCTL_RATE_LIMIT_ENABLED", "CERTCTL_RATE_LIMIT_RPS", "CERTCTL_RATE_LIMIT_BURST",
        "CERTCTL_CORS_ORIGINS", "CERTCTL_MAX_BODY_BYTES", "CERTCTL_TLS_CERT_PATH", "--config",
        "--insecure-http"}) {
    INFO(name);
    CHECK(result.output.find(name) != std::string::npos);
  }
}

TEST_CASE("a --config file with an unknown or malformed key is refused", "[server][config]") {
  TempDir dir;
  SECTION("a misspelt key, with a suggestion") {
    auto file = dir.path() / "typo.conf";
    writeFile(file, "# comment\nCERTCTL_LOG_LEVEL=info\nCERTCTL_SERVR_PORT=8443\n");
    auto result = runWith({}, {"--config", file.string()});
    INFO(result.output);
    CHECK(result.exitCode == 2);
    CHECK(result.output.find("CERTCTL_SERVR_PORT") != std::string::npos);
    CHECK(result.output.find("CERTCTL_SERVER_PORT") != std::string::npos);
  }
  SECTION("a line that is not KEY=VALUE names the file and the line") {
    auto file = dir.path() / "garbage.conf";
    writeFile(file, "CERTCTL_LOG_LEVEL=info\nthis is not a setting\n");
    auto result = runWith({}, {"--config", file.string()});
    INFO(result.output);
    CHECK(result.exitCode == 2);
    CHECK(result.output.find("garbage.conf") != std::string::npos);
    CHECK(result.output.find("line 2") != std::string::npos);
  }
  SECTION("an invalid value in the file names the variable") {
    auto file = dir.path() / "bad-value.conf";
    writeFile(file, "CERTCTL_RATE_LIMIT_BURST=lots\n");
    auto result = runWith({}, {"--config", file.string()});
    INFO(result.output);
    CHECK(result.exitCode == 2);
    CHECK(result.output.find("CERTCTL_RATE_LIMIT_BURST") != std::string::npos);
  }
  SECTION("a missing file") {
    auto result = runWith({}, {"--config", (dir.path() / "absent.conf").string()});
    INFO(result.output);
    CHECK(result.exitCode != 0);
    CHECK(result.exitCode != -1);
    CHECK(result.output.find("absent.conf") != std::string::npos);
  }
}

TEST_CASE("a --config file applies its settings and the environment wins over them",
          "[server][config]") {
  TempDir dir;
  int port = freeLoopbackPort();
  const std::string fileKey = "key-from-the-config-file-0123";
  auto file = dir.path() / "certctl.conf";
  // The port, key and CORS origin come only from the file; the log format is
  // set in both places and the environment's "json" must win over "text".
  writeFile(file,
            "# certctl test configuration\n"
            "CERTCTL_SERVER_HOST=127.0.0.1\n"
            "export CERTCTL_SERVER_PORT=" +
                std::to_string(port) +
                "\n"
                "CERTCTL_AUTH_SECRET=\"" +
                fileKey +
                "\"\n"
                "CERTCTL_CORS_ORIGINS=https://file.example\n"
                "CERTCTL_LOG_FORMAT=text\n"
                "CERTCTL_LOG_LEVEL=info\n");
  auto data = dir.path() / "data";
  SpawnedServer server({"--config", file.string()},
                       {{"CERTCTL_DATA_DIR", data.string()}, {"CERTCTL_LOG_FORMAT", "json"}},
                       dir.path() / "server.log");
  REQUIRE(server.waitHealthy(port, data / "tls" / "ca.crt"));
  INFO(server.log());

  auto ca = data / "tls" / "ca.crt";
  auto check =
      requestOnce(port, ca, "GET", "/api/v1/auth/check", {{"Authorization", "Bearer " + fileKey}});
  CHECK(check.status == 200);
  CHECK(requestOnce(port, ca, "GET", "/api/v1/auth/check").status == 401);
  // The key came from the file, so no key file was generated.
  CHECK_FALSE(std::filesystem::exists(data / "api-key"));

  auto cors =
      requestOnce(port, ca, "OPTIONS", "/api/v1/teams",
                  {{"Origin", "https://file.example"}, {"Access-Control-Request-Method", "GET"}});
  CHECK(cors.status == 204);
  CHECK(cors.header("access-control-allow-origin") == "https://file.example");

  // Environment over file: every log line is a JSON object.
  auto lines = jsonLogLines(server.log());
  CHECK(lines.size() >= 3);
  auto log = server.log();
  std::size_t nonEmpty = 0;
  for (char c : log) nonEmpty += c == '\n';
  CHECK(lines.size() == nonEmpty);
  CHECK(log.find(fileKey) == std::string::npos);

  CHECK(server.stop() == 0);
}
