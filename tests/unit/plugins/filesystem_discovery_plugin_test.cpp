// The built-in filesystem discovery plugin (plugins/discovery/filesystem) as
// the agent uses it: the real built .so loaded through the plugin host,
// scanning real files (a PEM bundle, DER, keys, an oversized file, an
// unreadable one, a symlink loop).
#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/plugins/plugin_host.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/private_key.h"
#include "tests/support/plugin_call_error.h"
#include "tests/support/test_database.h"

using namespace certctl::plugins;
using certctl::testing::callError;
using certctl::testing::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;
using Catch::Matchers::Contains;

namespace {

constexpr const char* kType = "filesystem";

void writeFile(const fs::path& path, const std::string& data) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

pki::Certificate makeCert(const std::string& cn, const pki::PrivateKey& key, bool ca = false) {
  pki::CertificateBuilder b;
  b.commonName(cn).validFor(std::chrono::hours(24 * 30)).ca(ca);
  if (!ca) b.dnsName(cn).ipAddress("10.1.2.3");
  return b.selfSign(key);
}

struct Plugin {
  TempDir temp;
  PluginHost host;
  Plugin() { REQUIRE(host.loadFile(CERTCTL_FILESYSTEM_DISCOVERY_PLUGIN)); }

  fs::path root() const { return temp.path() / "scan"; }
  json scan(json config = json::object(), json request = json::object()) const {
    if (!config.contains("paths")) config["paths"] = {root().string()};
    return host.createDiscovery(kType, config)->scan(request);
  }
};

std::vector<std::string> locations(const json& result) {
  std::vector<std::string> out;
  for (const auto& c : result["certificates"]) out.push_back(c["location"].get<std::string>());
  return out;
}

const json* findByFingerprint(const json& result, const std::string& fingerprint) {
  for (const auto& c : result["certificates"])
    if (c["fingerprint_sha256"] == fingerprint) return &c;
  return nullptr;
}

}  // namespace

TEST_CASE("filesystem discovery: reports every certificate of PEM bundles and DER files",
          "[plugins][discovery]") {
  Plugin p;
  auto ecKey = pki::PrivateKey::generateEcP256();
  auto rsaKey = pki::PrivateKey::generateRsa(2048);
  auto leaf = makeCert("api.example.test", ecKey);
  auto ca = makeCert("Example Root", rsaKey, true);
  auto der = makeCert("der.example.test", ecKey);
  // A bundle: leaf + CA, the leaf repeated (reported once), and its key
  // after them (never reported).
  writeFile(p.root() / "nginx" / "bundle.pem",
            leaf.toPem() + ca.toPem() + leaf.toPem() + ecKey.toPkcs8Pem());
  writeFile(p.root() / "deep" / "a" / "b" / "server.DER", der.toDer());
  writeFile(p.root() / "notes.txt", leaf.toPem());  // not a certificate extension

  auto result = p.scan();
  INFO(result.dump(2));
  REQUIRE(result["certificates"].size() == 3);
  CHECK(result["errors"].empty());
  CHECK(result["summary"]["files_read"] == 2);

  const json* l = findByFingerprint(result, leaf.sha256FingerprintHex());
  REQUIRE(l != nullptr);
  CHECK((*l)["location"] == (p.root() / "nginx" / "bundle.pem").string());
  CHECK((*l)["source"] == "filesystem");
  CHECK(pki::Certificate::fromPem((*l)["cert_pem"].get<std::string>()) == leaf);
  const auto& m = (*l)["metadata"];
  CHECK(m["common_name"] == "api.example.test");
  CHECK(m["sans"] == json{"api.example.test", "10.1.2.3"});
  CHECK(m["serial_number"] == leaf.serialHex());
  CHECK(m["issuer_dn"] == "CN=api.example.test");
  CHECK(m["key_algorithm"] == "ECDSA");
  CHECK(m["key_size"] == 256);
  CHECK(m["is_ca"] == false);
  CHECK(m["source_format"] == "PEM");
  CHECK(m["not_after"].get<std::string>().size() == 20);

  const json* c = findByFingerprint(result, ca.sha256FingerprintHex());
  REQUIRE(c != nullptr);
  CHECK((*c)["metadata"]["is_ca"] == true);
  CHECK((*c)["metadata"]["key_algorithm"] == "RSA");
  CHECK((*c)["metadata"]["key_size"] == 2048);

  const json* d = findByFingerprint(result, der.sha256FingerprintHex());
  REQUIRE(d != nullptr);
  CHECK((*d)["metadata"]["source_format"] == "DER");
  CHECK((*d)["location"] == (p.root() / "deep" / "a" / "b" / "server.DER").string());

  // The private key's bytes appear nowhere in the report.
  std::string keyPem = ecKey.toPkcs8Pem();
  std::string keyLine = keyPem.substr(keyPem.find('\n') + 1, 40);
  CHECK(result.dump().find(keyLine) == std::string::npos);
}

TEST_CASE("filesystem discovery: skips key files, oversized files and reports unreadable ones",
          "[plugins][discovery]") {
  Plugin p;
  auto key = pki::PrivateKey::generateEcP256();
  auto cert = makeCert("ok.example.test", key);
  writeFile(p.root() / "ok.crt", cert.toPem());
  writeFile(p.root() / "only-a-key.pem", key.toPkcs8Pem());  // key content, innocent name
  writeFile(p.root() / "privkey.pem", cert.toPem());         // named as a key: never opened
  writeFile(p.root() / "big.pem", cert.toPem() + std::string(1024 * 1024, '#'));
  writeFile(p.root() / "garbage.cer", "this is not a certificate");
  fs::create_symlink(p.root() / "missing.pem", p.root() / "dangling.pem");
  bool root = ::geteuid() == 0;
  if (!root) {
    writeFile(p.root() / "locked.pem", cert.toPem());
    fs::permissions(p.root() / "locked.pem", fs::perms::none);
  }

  auto result = p.scan();
  INFO(result.dump(2));
  CHECK(locations(result) == std::vector<std::string>{(p.root() / "ok.crt").string()});
  CHECK(result["summary"]["skipped_private_key"] == 2);
  CHECK(result["summary"]["skipped_too_large"] == 1);

  auto errorFor = [&](const std::string& name) -> std::string {
    for (const auto& e : result["errors"])
      if (e["location"] == (p.root() / name).string()) return e["message"];
    return "";
  };
  CHECK_THAT(errorFor("garbage.cer"), Contains("not a DER certificate"));
  CHECK_THAT(errorFor("dangling.pem"), Contains("broken symbolic link"));
  if (!root) CHECK_THAT(errorFor("locked.pem"), Contains("Permission denied"));
  CHECK(result["errors"].size() == (root ? 2u : 3u));

  // A larger limit reads the big file.
  auto bigger = p.scan({{"paths", {p.root().string()}}, {"max_file_bytes", 2 * 1024 * 1024}});
  CHECK(bigger["certificates"].size() == 2);
  CHECK(bigger["summary"]["skipped_too_large"] == 0);
}

TEST_CASE("filesystem discovery: symlink loops are walked once, depth is bounded",
          "[plugins][discovery]") {
  Plugin p;
  auto key = pki::PrivateKey::generateEcP256();
  writeFile(p.root() / "a" / "one.pem", makeCert("one.example.test", key).toPem());
  fs::create_directory_symlink(p.root(), p.root() / "a" / "loop");  // a/loop -> root
  writeFile(p.root() / "a" / "b" / "c" / "three.pem", makeCert("three.example.test", key).toPem());

  auto result = p.scan();
  INFO(result.dump(2));
  CHECK(locations(result) ==
        std::vector<std::string>{(p.root() / "a" / "b" / "c" / "three.pem").string(),
                                 (p.root() / "a" / "one.pem").string()});
  CHECK(result["errors"].empty());

  auto shallow = p.scan({{"paths", {p.root().string()}}, {"max_depth", 1}});
  CHECK(locations(shallow) == std::vector<std::string>{(p.root() / "a" / "one.pem").string()});

  auto noLinks = p.scan({{"paths", {(p.root() / "a").string()}}, {"follow_symlinks", false}});
  CHECK(noLinks["certificates"].size() == 2);

  // The request may name its own paths.
  auto narrowed = p.scan(json::object(), {{"paths", {(p.root() / "a" / "b").string()}}});
  CHECK(narrowed["certificates"].size() == 1);
  // A missing path is an error entry, not a failed scan.
  auto missing = p.scan({{"paths", {(p.root() / "nope").string()}}});
  CHECK(missing["certificates"].empty());
  REQUIRE(missing["errors"].size() == 1);
  CHECK_THAT(missing["errors"][0]["message"].get<std::string>(), Contains("No such file"));
}

TEST_CASE("filesystem discovery: the config is validated", "[plugins][discovery]") {
  Plugin p;
  auto invalid = [&](const json& config) {
    return callError([&] { p.host.validateConfig(PluginKind::Discovery, kType, config); });
  };
  CHECK(invalid(json::object()).status() == CERTCTL_INVALID_CONFIG);
  CHECK_THAT(invalid(json::object()).what(), Contains("paths"));
  CHECK_THAT(invalid({{"paths", json::array()}}).what(), Contains("paths"));
  CHECK_THAT(invalid({{"paths", {"relative/dir"}}}).what(), Contains("absolute"));
  CHECK_THAT(invalid({{"paths", {"/etc/../root"}}}).what(), Contains(".."));
  CHECK_THAT(invalid({{"paths", {42}}}).what(), Contains("paths[0]"));
  CHECK_THAT(invalid({{"paths", {"/etc"}}, {"max_file_bytes", 0}}).what(),
             Contains("max_file_bytes"));
  CHECK_THAT(invalid({{"paths", {"/etc"}}, {"follow_symlinks", "yes"}}).what(),
             Contains("follow_symlinks"));
  CHECK_NOTHROW(p.host.validateConfig(PluginKind::Discovery, kType, {{"paths", {"/etc/ssl/"}}}));
  // A bad path in a scan request is a rejected request.
  auto instance = p.host.createDiscovery(kType, {{"paths", {p.root().string()}}});
  auto e = callError([&] { instance->scan({{"paths", {"relative"}}}); });
  CHECK(e.status() == CERTCTL_REJECTED);
}
