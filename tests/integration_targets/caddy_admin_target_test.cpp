// The Caddy target plugin's admin-API mode ("mode": "api") against a real
// Caddy from Debian's package, started on random loopback ports with its
// admin endpoint on another. What Caddy serves is read with
// `openssl s_client` and its config with curl, independently of the plugin.
#include <catch2/catch.hpp>

#include <memory>
#include <string>

#include "core/plugins/plugin_call_error.h"
#include "core/plugins/plugin_host.h"
#include "tests/integration_targets/caddy_admin_server.h"
#include "tests/support/plugin_call_error.h"
#include "tests/support/process.h"
#include "tests/support/test_database.h"

using namespace certctl::plugins;
using namespace certctl::testing::targets;
using Catch::Matchers::Contains;
using certctl::testing::callError;
using certctl::testing::TempDir;
using nlohmann::json;
using namespace std::chrono_literals;

namespace {

constexpr const char* kTag = "mc-caddy-site";

struct Setup {
  TempDir temp;
  TestCa ca;
  CaddyAdminServer caddy{temp.path(), ca, kTag};
  PluginHost host;

  Setup() { REQUIRE(host.loadFile(CERTCTL_CADDY_TARGET_PLUGIN)); }

  json config() const { return {{"mode", "api"}, {"admin_api", caddy.adminUrl()}}; }
  json config(const Endpoint& verify, double timeoutSeconds = 10) const {
    json c = config();
    c["verify"] = {{"host", "127.0.0.1"},
                   {"port", verify.port},
                   {"sni", verify.sni},
                   {"timeout_seconds", timeoutSeconds}};
    return c;
  }
  std::unique_ptr<TargetPlugin> target(const json& config) const {
    return host.createTarget("Caddy", config);
  }
  // Renewals of one managed certificate share its id: the tag.
  json request(const TestCa::Leaf& leaf) const {
    json r = ca.deployRequest(leaf);
    r["certificate_id"] = kTag;
    return r;
  }
  // The load_pem entries of Caddy's running config.
  json loaded() const { return caddy.config()["apps"]["tls"]["certificates"]["load_pem"]; }
};

}  // namespace

TEST_CASE("caddy admin API: A then B loaded and served, B again unchanged",
          "[targets][integration][caddy-api]") {
  Setup s;
  s.caddy.start();
  auto a = s.ca.issue("certificate A");
  auto b = s.ca.issue("certificate B");
  auto target = s.target(s.config(s.caddy.main()));

  json result = target->deploy(s.request(a));
  INFO(result.dump(2));
  CHECK(result["success"] == true);
  CHECK(result["metadata"]["mode"] == "api");
  CHECK(result["metadata"]["unchanged"] == "false");
  CHECK(result["metadata"]["loaded"] == "true");
  CHECK(result["metadata"]["verified"] == "true");
  CHECK(result["target_address"] == "127.0.0.1:" + std::to_string(s.caddy.main().port));
  CHECK(servedSerial(s.caddy.main()) == a.serial());
  // Our entry was replaced in place; the other site's is untouched.
  json entries = s.loaded();
  REQUIRE(entries.size() == 2);
  CHECK(entries[0]["tags"] == json::array({kTag}));
  CHECK(entries[0]["certificate"] == a.cert.toPem() + s.ca.chainPem());
  CHECK(entries[0]["key"] == a.key.toPkcs8Pem());
  CHECK(entries[1]["certificate"] == s.caddy.otherCertificatePem());
  CHECK(servedSerial(s.caddy.other()) == s.caddy.otherSerial());
  CHECK(s.caddy.changeRequests() == 1);

  target->deploy(s.request(b));
  CHECK(servedSerial(s.caddy.main()) == b.serial());
  CHECK(s.loaded().size() == 2);
  CHECK(s.caddy.changeRequests() == 2);

  // Identical material: Caddy's config is not touched.
  result = target->deploy(s.request(b));
  CHECK(result["metadata"]["unchanged"] == "true");
  CHECK_THAT(result["message"].get<std::string>(), Contains("unchanged"));
  CHECK(s.caddy.changeRequests() == 2);

  // validate_deployment: the live endpoint, or without one Caddy's config.
  json valid = target->validateDeployment({{"certificate_id", kTag}, {"serial", b.serial()}});
  CHECK(valid["valid"] == true);
  CHECK(valid["metadata"]["method"] == "tls");
  json stale = target->validateDeployment({{"certificate_id", kTag}, {"serial", a.serial()}});
  CHECK(stale["valid"] == false);
  CHECK_THAT(stale["message"].get<std::string>(), Contains("expected " + a.serial()));
  auto noVerify = s.target(s.config());
  json fromConfig =
      noVerify->validateDeployment({{"certificate_id", kTag}, {"serial", b.serial()}});
  CHECK(fromConfig["valid"] == true);
  CHECK(fromConfig["metadata"]["method"] == "admin_api");
  json unknown =
      noVerify->validateDeployment({{"certificate_id", "mc-other"}, {"serial", b.serial()}});
  CHECK(unknown["valid"] == false);
  CHECK_THAT(unknown["message"].get<std::string>(), Contains("no certificate tagged mc-other"));
}

TEST_CASE("caddy admin API: a new certificate id is added next to the others",
          "[targets][integration][caddy-api]") {
  Setup s;
  s.caddy.start();
  auto c = s.ca.issue("certificate C");
  json request = s.ca.deployRequest(c);
  request["certificate_id"] = "mc-second";
  json result = s.target(s.config())->deploy(request);
  CHECK(result["metadata"]["verified"] == "skipped");
  json entries = s.loaded();
  REQUIRE(entries.size() == 3);
  CHECK(entries[2]["tags"] == json::array({"mc-second"}));
  // The site selecting kTag still serves the boot certificate.
  CHECK(servedSerial(s.caddy.main()) == s.caddy.bootSerial());
}

TEST_CASE("caddy admin API: live check fails, Caddy's previous config restored",
          "[targets][integration][caddy-api]") {
  Setup s;
  s.caddy.start();
  auto a = s.ca.issue("certificate A");
  auto b = s.ca.issue("certificate B");
  s.target(s.config(s.caddy.main()))->deploy(s.request(a));
  REQUIRE(servedSerial(s.caddy.main()) == a.serial());
  const json before = s.caddy.config();

  // The check looks at the other site, which never serves B.
  auto misdirected = s.target(s.config(s.caddy.other(), 3));
  auto e = callError([&] { misdirected->deploy(s.request(b)); });
  CHECK(e.status() == CERTCTL_RETRYABLE);
  CHECK_THAT(e.what(), Contains("post-deploy verification failed") &&
                           Contains("serial " + s.caddy.otherSerial()) &&
                           Contains("restored Caddy's previous config"));
  CHECK(s.caddy.config() == before);
  CHECK(waitForSerial(s.caddy.main(), a.serial(), 10s) == a.serial());
  CHECK(s.caddy.changeRequests() == 3);  // A, B, A again
}

TEST_CASE("caddy admin API: unreachable admin endpoint and bad requests",
          "[targets][integration][caddy-api]") {
  Setup s;  // Caddy is not started: nothing listens on its admin port
  auto a = s.ca.issue("certificate A");
  auto e = callError([&] { s.target(s.config())->deploy(s.request(a)); });
  CHECK(e.status() == CERTCTL_RETRYABLE);
  CHECK_THAT(e.what(), Contains("admin_api") && Contains("cannot connect"));

  json noId = s.ca.deployRequest(a);
  noId.erase("certificate_id");
  auto r = callError([&] { s.target(s.config())->deploy(noId); });
  CHECK(r.status() == CERTCTL_REJECTED);
  CHECK_THAT(r.what(), Contains("certificate_id"));

  json mismatched = s.request(a);
  mismatched["key_pem"] = s.ca.issue("x").key.toPkcs8Pem();
  auto k = callError([&] { s.target(s.config())->deploy(mismatched); });
  CHECK(k.status() == CERTCTL_REJECTED);
  CHECK_THAT(k.what(), Contains("does not belong"));
}

TEST_CASE("caddy admin API: bad configs are INVALID_CONFIG naming the field",
          "[targets][integration][caddy-api]") {
  Setup s;
  const json good = s.config();
  CHECK(s.host.validateConfig(PluginKind::Target, "Caddy", good) == json::object());
  // The default endpoint is Caddy's own default, on loopback.
  CHECK(s.host.validateConfig(PluginKind::Target, "Caddy", {{"mode", "api"}}) == json::object());

  auto refused = [&](const json& config, const std::string& text) {
    INFO(config.dump());
    auto e = callError([&] { s.host.validateConfig(PluginKind::Target, "Caddy", config); });
    CHECK(e.status() == CERTCTL_INVALID_CONFIG);
    CHECK_THAT(e.what(), Contains(text));
    auto c = callError([&] { s.target(config); });
    CHECK(c.status() == CERTCTL_INVALID_CONFIG);
  };
  auto with = [&](const std::string& key, const json& value) {
    json c = good;
    c[key] = value;
    return c;
  };
  refused(with("admin_api", "https://127.0.0.1:2019"), "admin_api");
  refused(with("admin_api", "https://127.0.0.1:2019"), "https is not supported");
  refused(with("admin_api", "ftp://127.0.0.1:2019"), "admin_api");
  refused(with("admin_api", "127.0.0.1:2019"), "must start with http://");
  refused(with("admin_api", "http://127.0.0.1:70000"), "admin_api");
  refused(with("admin_api", "http://127.0.0.1:2019/?x=1"), "query");
  refused(with("admin_api", "http://user@127.0.0.1:2019"), "user info");
  refused(with("admin_api", "http://caddy.example.com:2019"), "not a loopback address");
  refused(with("admin_api", 2019), "admin_api");
  refused(with("admin_timeout_seconds", 0), "admin_timeout_seconds");
  refused(with("verify", {{"host", "127.0.0.1"}}), "verify.port");
  refused(with("mode", "ftp"), "mode");

  json remote = with("admin_api", "http://caddy.example.com:2019");
  remote["allow_remote_admin_api"] = true;
  CHECK(s.host.validateConfig(PluginKind::Target, "Caddy", remote) == json::object());
  CHECK(s.host.validateConfig(PluginKind::Target, "Caddy",
                              with("admin_api", "http://[::1]:2019/")) == json::object());

  json warned = s.host.validateConfig(PluginKind::Target, "Caddy",
                                      with("reload_command", json::array({"true"})));
  REQUIRE(warned.contains("warnings"));
  CHECK_THAT(warned["warnings"][0].get<std::string>(),
             Contains("reload_command") && Contains("ignored in the admin-API mode"));
  warned = s.host.validateConfig(PluginKind::Target, "Caddy", with("admin_apii", "x"));
  REQUIRE(warned.contains("warnings"));
  CHECK_THAT(warned["warnings"][0].get<std::string>(), Contains("unknown field \"admin_apii\""));
}
