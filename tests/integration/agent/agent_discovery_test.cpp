// certctl-agent's filesystem discovery end to end: the real agent binary
// (--once) with CERTCTL_DISCOVERY_DIRS scans real files with the built
// filesystem discovery plugin and reports them to the real server; a second
// run adds no duplicates. Private keys next to the certificates never
// leave the host.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

#include "sdk/pki/certificate.h"
#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/private_key.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"
#include "tests/support/test_database.h"

using namespace certctl::testing;
using nlohmann::json;
namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;

namespace {

void put(const fs::path& path, const std::string& data) {
  fs::create_directories(path.parent_path());
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

pki::Certificate selfSigned(const std::string& cn, const pki::PrivateKey& key) {
  return pki::CertificateBuilder()
      .commonName(cn)
      .dnsName(cn)
      .validFor(std::chrono::hours(240))
      .selfSign(key);
}

json listed(ServerProcess& server, const std::string& path) {
  auto response = server.get(path);
  INFO(response.body);
  REQUIRE(response.status == 200);
  return response.json();
}

}  // namespace

TEST_CASE("agent discovery: CERTCTL_DISCOVERY_DIRS is scanned and reported without duplicates",
          "[agents][discovery]") {
  ServerProcess server;
  TempDir temp;
  fs::path scanDir = temp.path() / "etc-ssl";
  auto key = pki::PrivateKey::generateEcP256();
  auto web = selfSigned("web.disc.test", key);
  auto mail = selfSigned("mail.disc.test", key);
  auto der = selfSigned("der.disc.test", key);
  put(scanDir / "web" / "fullchain.pem", web.toPem() + mail.toPem());
  put(scanDir / "web" / "privkey.pem", key.toPkcs8Pem());
  put(scanDir / "legacy" / "server.der", der.toDer());
  put(scanDir / "legacy" / "combined.pem", key.toPkcs8Pem());

  std::map<std::string, std::string> env = {
      {"CERTCTL_SERVER_URL", "https://127.0.0.1:" + std::to_string(server.port())},
      {"CERTCTL_API_KEY", server.apiKey()},
      {"CERTCTL_CA_BUNDLE", server.caFile().string()},
      {"CERTCTL_KEY_DIR", (temp.path() / "keys").string()},
      {"CERTCTL_AGENT_NAME", "disc-agent"},
      {"CERTCTL_DISCOVERY_DIRS", scanDir.string()},
  };
  auto run = [&] {
    auto result = runProcess({CERTCTL_AGENT_BINARY, "--once"}, env, std::chrono::seconds(120));
    INFO(result.output);
    REQUIRE(result.exitCode == 0);
    return result;
  };
  auto first = run();

  auto found = listed(server, "/api/v1/discovered-certificates?sort=commonName&per_page=50");
  INFO(found.dump(2));
  REQUIRE(found["total"] == 3);
  std::map<std::string, json> byName;
  for (const auto& c : found["data"]) byName[c["common_name"]] = c;
  CHECK(byName["web.disc.test"]["source_path"] == (scanDir / "web" / "fullchain.pem").string());
  CHECK(byName["mail.disc.test"]["source_path"] == (scanDir / "web" / "fullchain.pem").string());
  CHECK(byName["der.disc.test"]["source_path"] == (scanDir / "legacy" / "server.der").string());
  CHECK(byName["der.disc.test"]["source_format"] == "DER");
  CHECK(byName["web.disc.test"]["fingerprint_sha256"] == web.sha256FingerprintHex());
  std::string agentId = byName["web.disc.test"]["agent_id"];
  auto agents = listed(server, "/api/v1/agents");
  REQUIRE(agents["total"] == 1);
  CHECK(agents["data"][0]["id"] == agentId);

  auto second = run();
  CHECK(listed(server, "/api/v1/discovered-certificates")["total"] == 3);
  auto scans = listed(server, "/api/v1/discovery-scans?agent_id=" + agentId);
  REQUIRE(scans["total"] == 2);
  // Both scans may start in the same second: compare them unordered.
  std::multiset<long long> created;
  for (const auto& scan : scans["data"]) {
    CHECK(scan["certificates_found"] == 3);
    created.insert(scan["certificates_new"].get<long long>());
  }
  CHECK(created == std::multiset<long long>{0, 3});

  // The key material stayed on the host: not in any record, not in the logs.
  std::string keyPem = key.toPkcs8Pem();
  std::string keyLine = keyPem.substr(keyPem.find('\n') + 1, 40);
  auto all = listed(server, "/api/v1/discovered-certificates?per_page=50").dump();
  CHECK(all.find(keyLine) == std::string::npos);
  CHECK(server.log().find(keyLine) == std::string::npos);
  CHECK(first.output.find(keyLine) == std::string::npos);
}
