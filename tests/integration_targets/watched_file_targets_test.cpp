// The Traefik and Envoy target plugins: file layouts their servers watch,
// with no reload. Neither server is packaged by Debian, so these tests load
// the built plugins through the plugin host and check what lands on disk:
// the files, their modes, the generated Traefik dynamic config (parsed back
// with Python's yaml and tomllib) and Envoy's SDS document, the rollback of
// every file when a step fails, and the identical-redeploy short-circuit.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <memory>
#include <string>

#include "core/plugins/plugin_call_error.h"
#include "core/plugins/plugin_host.h"
#include "tests/integration_targets/target_server.h"
#include "tests/support/plugin_call_error.h"
#include "tests/support/process.h"
#include "tests/support/test_database.h"

using namespace certctl::plugins;
using namespace certctl::testing::targets;
using certctl::testing::callError;
using certctl::testing::runProcess;
using certctl::testing::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;
using Catch::Matchers::Contains;

namespace {

struct Setup {
  TempDir temp;
  TestCa ca;
  PluginHost host;
  fs::path dir = temp.path() / "certs";

  Setup() {
    REQUIRE(host.loadFile(CERTCTL_TRAEFIK_TARGET_PLUGIN));
    REQUIRE(host.loadFile(CERTCTL_ENVOY_TARGET_PLUGIN));
    fs::create_directories(dir);
  }
  // Another empty directory (one host per process may load a plugin).
  fs::path emptyDir(const std::string& name) const {
    fs::path d = temp.path() / name;
    fs::create_directories(d);
    return d;
  }
  std::unique_ptr<TargetPlugin> target(const std::string& type, const json& config) const {
    return host.createTarget(type, config);
  }
  // The config check refuses `config` as INVALID_CONFIG with `text` in the message.
  void checkRefused(const std::string& type, const json& config, const std::string& text) const {
    INFO(config.dump());
    auto e = callError([&] { host.validateConfig(PluginKind::Target, type, config); });
    CHECK(e.status() == CERTCTL_INVALID_CONFIG);
    CHECK_THAT(e.what(), Contains(text));
  }
};

json with(json config, const std::string& key, const json& value) {
  config[key] = value;
  return config;
}

unsigned modeOf(const fs::path& p) {
  return static_cast<unsigned>(fs::status(p).permissions() & fs::perms::mask);
}

ino_t inodeOf(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_ino;
}

// The dynamic config as Python's own YAML or TOML parser reads it, as JSON.
json parsedByPython(const fs::path& file) {
  const std::string script =
      "import json, sys\n"
      "p = sys.argv[1]\n"
      "if p.endswith('.toml'):\n"
      "    import tomllib\n"
      "    d = tomllib.load(open(p, 'rb'))\n"
      "else:\n"
      "    import yaml\n"
      "    d = yaml.safe_load(open(p))\n"
      "print(json.dumps(d))\n";
  auto r = runProcess({"python3", "-c", script, file.string()});
  INFO(r.output);
  REQUIRE(r.exitCode == 0);
  return json::parse(r.output);
}

}  // namespace

TEST_CASE("traefik target: files and a YAML dynamic config, no reload, redeploy unchanged",
          "[targets][traefik]") {
  Setup s;
  auto a = s.ca.issue("certificate A");
  auto b = s.ca.issue("certificate B");
  auto target = s.target("Traefik", {{"cert_dir", s.dir.string()}});

  json result = target->deploy(s.ca.deployRequest(a));
  INFO(result.dump(2));
  CHECK(result["metadata"]["reloaded"] == "false");
  CHECK(result["metadata"]["validated"] == "false");
  CHECK(result["metadata"]["dynamic_config_file"] == (s.dir / "certctl-tls.yml").string());
  CHECK(readFile(s.dir / "site.crt") == a.cert.toPem() + s.ca.chainPem());
  CHECK(readFile(s.dir / "site.key") == a.key.toPkcs8Pem());
  CHECK(modeOf(s.dir / "site.crt") == 0644u);
  CHECK(modeOf(s.dir / "site.key") == 0600u);
  CHECK(modeOf(s.dir / "certctl-tls.yml") == 0644u);
  const json expected = {{"tls",
                          {{"certificates",
                            {{{"certFile", (s.dir / "site.crt").string()},
                              {"keyFile", (s.dir / "site.key").string()}}}}}}};
  CHECK(parsedByPython(s.dir / "certctl-tls.yml") == expected);

  target->deploy(s.ca.deployRequest(b));
  CHECK(readFile(s.dir / "site.crt") == b.cert.toPem() + s.ca.chainPem());
  CHECK(readFile(s.dir / "site.key") == b.key.toPkcs8Pem());

  // Identical material: nothing is rewritten (an atomic write changes the inode).
  const ino_t cert = inodeOf(s.dir / "site.crt");
  const ino_t dynamic = inodeOf(s.dir / "certctl-tls.yml");
  result = target->deploy(s.ca.deployRequest(b));
  CHECK(result["metadata"]["unchanged"] == "true");
  CHECK(inodeOf(s.dir / "site.crt") == cert);
  CHECK(inodeOf(s.dir / "certctl-tls.yml") == dynamic);

  json valid = target->validateDeployment({{"certificate_id", "mc-b"}, {"serial", b.serial()}});
  CHECK(valid["valid"] == true);
}

TEST_CASE("traefik target: TOML dynamic config, or none", "[targets][traefik]") {
  Setup s;
  auto a = s.ca.issue("certificate A");
  const json config = {{"cert_dir", s.dir.string()},
                       {"cert_file", "web.pem"},
                       {"key_file", "web-key.pem"},
                       {"dynamic_config_file", "web.toml"}};
  s.target("Traefik", config)->deploy(s.ca.deployRequest(a));
  const json expected = {{"tls",
                          {{"certificates",
                            {{{"certFile", (s.dir / "web.pem").string()},
                              {"keyFile", (s.dir / "web-key.pem").string()}}}}}}};
  CHECK(parsedByPython(s.dir / "web.toml") == expected);

  const fs::path none = s.emptyDir("none");
  s.target("Traefik", {{"cert_dir", none.string()}, {"dynamic_config_file", ""}})
      ->deploy(s.ca.deployRequest(a));
  CHECK(fs::exists(none / "site.crt"));
  CHECK(!fs::exists(none / "certctl-tls.yml"));
  CHECK(std::distance(fs::directory_iterator(none), fs::directory_iterator()) == 2);
}

TEST_CASE("traefik target: a failed check rolls back every file", "[targets][traefik]") {
  Setup s;
  auto a = s.ca.issue("certificate A");
  auto b = s.ca.issue("certificate B");
  json config = {{"cert_dir", s.dir.string()}};
  s.target("Traefik", config)->deploy(s.ca.deployRequest(a));
  const auto before =
      std::vector<std::string>{readFile(s.dir / "site.crt"), readFile(s.dir / "site.key"),
                               readFile(s.dir / "certctl-tls.yml")};

  config["validate_command"] = json::array({"false"});
  auto e = callError([&] { s.target("Traefik", config)->deploy(s.ca.deployRequest(b)); });
  CHECK(e.status() == CERTCTL_REJECTED);
  CHECK_THAT(e.what(), Contains("validate_command") && Contains("rolled back"));
  CHECK(std::vector<std::string>{readFile(s.dir / "site.crt"), readFile(s.dir / "site.key"),
                                 readFile(s.dir / "certctl-tls.yml")} == before);

  // The live check finds nothing listening: everything goes back too.
  config.erase("validate_command");
  config["verify"] = {{"host", "127.0.0.1"},
                      {"port", certctl::testing::freeLoopbackPort()},
                      {"timeout_seconds", 0.5}};
  auto v = callError([&] { s.target("Traefik", config)->deploy(s.ca.deployRequest(b)); });
  CHECK(v.status() == CERTCTL_RETRYABLE);
  CHECK_THAT(v.what(), Contains("post-deploy verification failed") && Contains("rolled back"));
  CHECK(readFile(s.dir / "site.crt") == before[0]);

  // In an empty directory, a rollback removes what was written.
  const fs::path fresh = s.emptyDir("fresh");
  json failing = {{"cert_dir", fresh.string()}, {"validate_command", json::array({"false"})}};
  callError([&] { s.target("Traefik", failing)->deploy(s.ca.deployRequest(b)); });
  CHECK(fs::is_empty(fresh));
}

TEST_CASE("traefik target: bad configs are INVALID_CONFIG naming the field", "[targets][traefik]") {
  Setup s;
  const json good = {{"cert_dir", s.dir.string()}};
  CHECK(s.host.validateConfig(PluginKind::Target, "Traefik", good) == json::object());
  auto refused = [&](const json& config, const std::string& text) {
    s.checkRefused("Traefik", config, text);
  };
  refused(json::object(), "cert_dir: is required");
  refused(with(good, "cert_dir", "certs"), "cert_dir");
  refused(with(good, "dynamic_config_file", "tls.json"), "dynamic_config_file");
  refused(with(good, "dynamic_config_file", "../tls.yml"), "dynamic_config_file");
  refused(with(good, "dynamic_config_file", 7), "dynamic_config_file");
  refused(with(good, "cert_file", "certctl-tls.yml"), "dynamic_config_file");
  refused(with(good, "key_file", "a/b"), "key_file");
  refused(with(good, "reload_command", "kill -HUP $(pidof traefik)"), "reload_command");
  json warned =
      s.host.validateConfig(PluginKind::Target, "Traefik", with(good, "dynamic_config", true));
  REQUIRE(warned.contains("warnings"));
  CHECK_THAT(warned["warnings"][0].get<std::string>(), Contains("dynamic_config"));
}

TEST_CASE("envoy target: files, SDS document, redeploy unchanged", "[targets][envoy]") {
  Setup s;
  auto a = s.ca.issue("certificate A");
  auto b = s.ca.issue("certificate B");

  // Without sds_config: the certificate files only.
  auto plain = s.target("Envoy", {{"cert_dir", s.dir.string()}});
  json result = plain->deploy(s.ca.deployRequest(a));
  CHECK(result["metadata"]["reloaded"] == "false");
  CHECK(readFile(s.dir / "cert.pem") == a.cert.toPem() + s.ca.chainPem());
  CHECK(readFile(s.dir / "key.pem") == a.key.toPkcs8Pem());
  CHECK(modeOf(s.dir / "key.pem") == 0600u);
  CHECK(!fs::exists(s.dir / "sds.json"));

  const json config = {{"cert_dir", s.dir.string()},
                       {"cert_filename", "tls.crt"},
                       {"key_filename", "tls.key"},
                       {"sds_config", true},
                       {"sds_secret_name", "edge_cert"}};
  auto sds = s.target("Envoy", config);
  sds->deploy(s.ca.deployRequest(b));
  CHECK(readFile(s.dir / "tls.crt") == b.cert.toPem() + s.ca.chainPem());
  CHECK(modeOf(s.dir / "sds.json") == 0644u);
  const json doc = json::parse(readFile(s.dir / "sds.json"));
  REQUIRE(doc["resources"].size() == 1);
  const json& secret = doc["resources"][0];
  CHECK(secret["@type"] == "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret");
  CHECK(secret["name"] == "edge_cert");
  CHECK(secret["tls_certificate"]["certificate_chain"]["filename"] == (s.dir / "tls.crt").string());
  CHECK(secret["tls_certificate"]["private_key"]["filename"] == (s.dir / "tls.key").string());
  CHECK(secret.size() == 3);

  const ino_t sdsInode = inodeOf(s.dir / "sds.json");
  result = sds->deploy(s.ca.deployRequest(b));
  CHECK(result["metadata"]["unchanged"] == "true");
  CHECK(inodeOf(s.dir / "sds.json") == sdsInode);
  // A new certificate moves sds.json into place again, so Envoy re-reads
  // the secret (its content is the same: it names the same files).
  sds->deploy(s.ca.deployRequest(a));
  CHECK(inodeOf(s.dir / "sds.json") != sdsInode);
  CHECK(readFile(s.dir / "tls.key") == a.key.toPkcs8Pem());
}

TEST_CASE("envoy target: separate chain, rollback of every file", "[targets][envoy]") {
  Setup s;
  auto a = s.ca.issue("certificate A");
  auto b = s.ca.issue("certificate B");
  json config = {
      {"cert_dir", s.dir.string()}, {"chain_filename", "chain.pem"}, {"sds_config", true}};
  json warned = s.host.validateConfig(PluginKind::Target, "Envoy", config);
  REQUIRE(warned.contains("warnings"));
  CHECK_THAT(warned["warnings"][0].get<std::string>(), Contains("chain_filename"));
  s.target("Envoy", config)->deploy(s.ca.deployRequest(a));
  CHECK(readFile(s.dir / "cert.pem") == a.cert.toPem());
  CHECK(readFile(s.dir / "chain.pem") == s.ca.chainPem());
  const std::vector<fs::path> files = {s.dir / "cert.pem", s.dir / "chain.pem", s.dir / "key.pem",
                                       s.dir / "sds.json"};
  std::vector<std::string> before;
  for (const auto& f : files) before.push_back(readFile(f));

  config["validate_command"] = json::array({"false"});
  auto e = callError([&] { s.target("Envoy", config)->deploy(s.ca.deployRequest(b)); });
  CHECK(e.status() == CERTCTL_REJECTED);
  CHECK_THAT(e.what(), Contains("rolled back") && Contains("sds.json"));
  std::vector<std::string> after;
  for (const auto& f : files) after.push_back(readFile(f));
  CHECK(after == before);
}

TEST_CASE("envoy target: bad configs are INVALID_CONFIG naming the field", "[targets][envoy]") {
  Setup s;
  const json good = {{"cert_dir", s.dir.string()}, {"sds_config", true}};
  CHECK(s.host.validateConfig(PluginKind::Target, "Envoy", good) == json::object());
  auto refused = [&](const json& config, const std::string& text) {
    s.checkRefused("Envoy", config, text);
  };
  refused(json::object(), "cert_dir: is required");
  refused(with(good, "sds_config", "yes please"), "sds_config");
  refused(with(good, "chain_filename", "key.pem"), "chain_filename");
  refused(with(good, "cert_filename", "sds.json"), "sds_config");
  refused(with(good, "key_filename", "../key.pem"), "key_filename");
  refused(with(good, "sds_secret_name", "a\nb"), "sds_secret_name");
  json warned =
      s.host.validateConfig(PluginKind::Target, "Envoy", with(good, "cert_file", "x.pem"));
  REQUIRE(warned.contains("warnings"));
  CHECK_THAT(warned["warnings"][0].get<std::string>(), Contains("cert_file"));
}
