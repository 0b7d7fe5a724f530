// The NGINX, Apache and HAProxy target plugins (plugins/targets/) against
// the real servers from Debian's packages: each test starts its own server
// on random loopback ports with its config under a temp dir, loads the
// built plugin through the plugin host and deploys with it. What a server
// presents is read with `openssl s_client`, independently of the plugins'
// own TLS probe.
#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <string>

#include "core/plugins/plugin_call_error.h"
#include "core/plugins/plugin_host.h"
#include "tests/integration_targets/target_server.h"
#include "tests/support/plugin_call_error.h"
#include "tests/support/test_database.h"

using namespace certctl::plugins;
using namespace certctl::testing::targets;
using certctl::testing::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using namespace std::chrono_literals;

using certctl::testing::callError;

namespace {

struct Nginx {
  static constexpr ServerKind kind = ServerKind::Nginx;
};
struct Apache {
  static constexpr ServerKind kind = ServerKind::Apache;
};
struct Haproxy {
  static constexpr ServerKind kind = ServerKind::Haproxy;
};
struct Postfix {
  static constexpr ServerKind kind = ServerKind::Postfix;
};
struct Dovecot {
  static constexpr ServerKind kind = ServerKind::Dovecot;
};
struct Caddy {
  static constexpr ServerKind kind = ServerKind::Caddy;
};

// A server of one kind, its plugin loaded into a host, and a test CA.
struct Setup {
  TempDir temp;
  TestCa ca;
  TargetServer server;
  PluginHost host;

  explicit Setup(ServerKind kind) : server(kind, temp.path(), ca) {
    REQUIRE(host.loadFile(server.pluginPath()));
  }

  std::unique_ptr<TargetPlugin> target(const json& config) const {
    return host.createTarget(server.pluginType(), config);
  }

  // The bytes of every file the server reads, to compare before/after.
  std::vector<std::string> files() const {
    std::vector<std::string> out;
    for (const auto& f : server.managedFiles()) out.push_back(readFile(f));
    return out;
  }
};

unsigned modeOf(const fs::path& p) {
  return static_cast<unsigned>(fs::status(p).permissions() & fs::perms::mask);
}

}  // namespace

TEMPLATE_TEST_CASE("target plugins: A then B served after reloads, B again unchanged",
                   "[targets][integration]", Nginx, Apache, Haproxy, Postfix, Dovecot, Caddy) {
  Setup s(TestType::kind);
  s.server.start();
  auto a = s.ca.issue("certificate A");
  auto b = s.ca.issue("certificate B");
  auto target = s.target(s.server.targetConfig(s.server.main()));

  json result = target->deploy(s.ca.deployRequest(a));
  INFO(result.dump(2));
  CHECK(result["success"] == true);
  CHECK(result["metadata"]["serial"] == a.serial());
  CHECK(result["metadata"]["unchanged"] == "false");
  CHECK(result["metadata"]["validated"] == "true");
  CHECK(result["metadata"]["reloaded"] == "true");
  CHECK(result["metadata"]["verified"] == "true");
  CHECK(result["target_address"] == "127.0.0.1:" + std::to_string(s.server.main().port));
  CHECK_THAT(result["deployment_id"].get<std::string>(), Contains("dep-"));
  CHECK(s.server.reloadCount() == 1);
  // The live endpoint presents A, seen by openssl, not by the plugin's probe.
  CHECK(s.server.served(s.server.main()) == a.serial());
  for (const auto& f : s.server.managedFiles()) {
    INFO(f);
    const bool secret =
        f.filename() == "key.pem" || f.filename() == "site.pem" || f.filename() == "site.key";
    CHECK(modeOf(f) == (secret ? 0600u : 0644u));
  }
  if (TestType::kind == ServerKind::Haproxy) {
    // Combined PEM: certificate, chain, key, in that order.
    const std::string pem = readFile(s.server.managedFiles()[0]);
    CHECK(pem == a.cert.toPem() + s.ca.chainPem() + a.key.toPkcs8Pem());
  }

  result = target->deploy(s.ca.deployRequest(b));
  CHECK(result["metadata"]["serial"] == b.serial());
  CHECK(s.server.reloadCount() == 2);
  CHECK(s.server.served(s.server.main()) == b.serial());

  // Identical material: no write, no reload, no check.
  result = target->deploy(s.ca.deployRequest(b));
  CHECK(result["success"] == true);
  CHECK(result["metadata"]["unchanged"] == "true");
  CHECK(result["metadata"]["reloaded"] == "false");
  CHECK_THAT(result["message"].get<std::string>(), Contains("unchanged"));
  CHECK(s.server.reloadCount() == 2);
  CHECK(s.server.served(s.server.main()) == b.serial());

  // validate_deployment compares the live serial.
  json valid = target->validateDeployment({{"certificate_id", "mc-b"}, {"serial", b.serial()}});
  CHECK(valid["valid"] == true);
  CHECK(valid["serial"] == b.serial());
  json stale = target->validateDeployment({{"certificate_id", "mc-a"}, {"serial", a.serial()}});
  CHECK(stale["valid"] == false);
  CHECK(stale["serial"] == b.serial());
  CHECK_THAT(stale["message"].get<std::string>(), Contains("expected " + a.serial()));
}

TEMPLATE_TEST_CASE("target plugins: config test fails, A's files and A stay",
                   "[targets][integration]", Nginx, Apache, Haproxy, Postfix, Dovecot, Caddy) {
  Setup s(TestType::kind);
  s.server.start();
  auto a = s.ca.issue("certificate A");
  auto b = s.ca.issue("certificate B");
  auto target = s.target(s.server.targetConfig(s.server.main()));
  target->deploy(s.ca.deployRequest(a));
  REQUIRE(s.server.waitFor(s.server.main(), a.serial()) == a.serial());
  const auto filesOfA = s.files();
  const int reloads = s.server.reloadCount();

  // Someone broke the server's config: the config test fails with B in place.
  s.server.breakConfig();
  auto e = callError([&] { target->deploy(s.ca.deployRequest(b)); });
  CHECK(e.status() == CERTCTL_REJECTED);
  CHECK_THAT(e.what(), Contains("validate_command") && Contains(s.server.brokenConfigMessage()) &&
                           Contains("rolled back"));
  CHECK(s.files() == filesOfA);
  CHECK(s.server.reloadCount() == reloads);
  CHECK(s.server.served(s.server.main()) == a.serial());

  // A key that does not belong to B is refused before anything is touched.
  s.server.repairConfig();
  json mismatched = s.ca.deployRequest(b);
  mismatched["key_pem"] = a.key.toPkcs8Pem();
  auto k = callError([&] { target->deploy(mismatched); });
  CHECK(k.status() == CERTCTL_REJECTED);
  CHECK_THAT(k.what(), Contains("does not belong"));
  CHECK(s.files() == filesOfA);
  CHECK(s.server.reloadCount() == reloads);

  // Once the config is repaired, B goes out.
  target->deploy(s.ca.deployRequest(b));
  CHECK(s.server.waitFor(s.server.main(), b.serial()) == b.serial());
}

TEMPLATE_TEST_CASE("target plugins: live check fails, rolled back and reloaded",
                   "[targets][integration]", Nginx, Apache, Haproxy, Postfix, Dovecot, Caddy) {
  Setup s(TestType::kind);
  s.server.start();
  auto a = s.ca.issue("certificate A");
  auto b = s.ca.issue("certificate B");
  s.target(s.server.targetConfig(s.server.main()))->deploy(s.ca.deployRequest(a));
  REQUIRE(s.server.served(s.server.main()) == a.serial());
  const auto filesOfA = s.files();
  const int reloads = s.server.reloadCount();

  // The check looks at a listener that never serves the deployed
  // certificate (as when the paths are not the ones the server reads).
  auto misdirected = s.target(s.server.targetConfig(s.server.other(), 4));
  auto e = callError([&] { misdirected->deploy(s.ca.deployRequest(b)); });
  CHECK(e.status() == CERTCTL_RETRYABLE);
  CHECK_THAT(e.what(), Contains("post-deploy verification failed") &&
                           Contains("serial " + s.server.otherSerial()) &&
                           Contains("rolled back") && Contains("reloaded the restored files"));
  CHECK(s.files() == filesOfA);
  // Reloaded with B, then again with A restored.
  CHECK(s.server.reloadCount() == reloads + 2);
  CHECK(s.server.waitFor(s.server.main(), a.serial()) == a.serial());
}

TEMPLATE_TEST_CASE("target plugins: bad configs are INVALID_CONFIG naming the field",
                   "[targets][integration]", Nginx, Apache, Haproxy, Postfix, Dovecot, Caddy) {
  Setup s(TestType::kind);  // not started: nothing here reaches the server
  const std::string type = s.server.pluginType();
  const json good = s.server.targetConfig();
  const std::string pathField = s.server.pathField();

  auto listed = s.host.listPlugins()["loaded"];
  REQUIRE(listed.size() == 1);
  CHECK(listed[0]["kind"] == "target");
  CHECK(listed[0]["type"] == type);
  CHECK(listed[0]["config_schema"]["properties"].contains(pathField));
  CHECK(listed[0]["config_schema"]["properties"].contains("verify"));
  CHECK(listed[0]["operations"] == json({"deploy", "validate_deployment"}));

  CHECK(s.host.validateConfig(PluginKind::Target, type, good) == json::object());

  auto refused = [&](const json& config, const std::string& field) {
    INFO(config.dump());
    auto e = callError([&] { s.host.validateConfig(PluginKind::Target, type, config); });
    CHECK(e.status() == CERTCTL_INVALID_CONFIG);
    CHECK_THAT(e.what(), Contains(field));
    auto c = callError([&] { s.target(config); });
    CHECK(c.status() == CERTCTL_INVALID_CONFIG);
  };
  json config = good;
  config.erase(pathField);
  if (TestType::kind == ServerKind::Postfix || TestType::kind == ServerKind::Dovecot) {
    // The mail targets have the original product's default paths.
    CHECK(s.host.validateConfig(PluginKind::Target, type, config) == json::object());
  } else {
    refused(config, pathField + ": is required");
  }
  // The original product's mode field: only this type's own value.
  const std::string wrongMode = TestType::kind == ServerKind::Postfix   ? "dovecot"
                                : TestType::kind == ServerKind::Dovecot ? "postfix"
                                : TestType::kind == ServerKind::Caddy   ? "ftp"
                                                                        : "";
  if (!wrongMode.empty()) {
    config = good;
    config["mode"] = wrongMode;
    refused(config, "mode");
  }
  config = good;
  config[pathField] = "relative/site.pem";
  refused(config, pathField + ": must be an absolute path");
  config = good;
  config["reload_command"] = "kill -HUP $(cat /run/server.pid)";
  refused(config, "reload_command");
  config = good;
  config["validate_command"] = json::array({"../bin/check"});
  refused(config, "validate_command");
  config = good;
  config["verify"] = {{"host", "127.0.0.1"}};
  refused(config, "verify.port");
  refused(json::array(), "config");

  config = good;
  config["reload_comand"] = json::array({"true"});
  json warned = s.host.validateConfig(PluginKind::Target, type, config);
  REQUIRE(warned.contains("warnings"));
  CHECK_THAT(warned["warnings"][0].get<std::string>(), Contains("reload_comand"));

  // A program that is not on this machine is found out at deploy time,
  // before a file is touched.
  const auto before = s.files();
  config = good;
  config["reload_command"] = json::array({"certctl-no-such-reload-tool"});
  auto e = callError([&] { s.target(config)->deploy(s.ca.deployRequest(s.ca.issue("x"))); });
  CHECK(e.status() == CERTCTL_INVALID_CONFIG);
  CHECK_THAT(e.what(), Contains("reload_command") && Contains("not found"));
  CHECK(s.files() == before);
}
