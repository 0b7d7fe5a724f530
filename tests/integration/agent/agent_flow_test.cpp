// The real certctl-server and the real certctl-agent (--once) on loopback,
// with a real nginx as the deployment target: the agent registers, makes the
// key, gets the certificate signed, deploys it with the NGINX plugin and
// proves nginx serves it; renewal rotates the key the same way. The agent's
// private keys never reach the server: no byte of them is in its database,
// its data dir or its log.
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>

#include "core/store/database.h"
#include "sdk/deploy/tls_probe.h"
#include "sdk/pki/base64.h"
#include "sdk/pki/certificate.h"
#include "sdk/pki/certificate_builder.h"
#include "sdk/pki/private_key.h"
#include "tests/integration/lifecycle/lifecycle_test_util.h"
#include "tests/integration_targets/target_server.h"
#include "tests/support/process.h"

using namespace certctl::testing;
using namespace certctl::testing::lifecycle;
using certctl::testing::targets::ServerKind;
using certctl::testing::targets::TargetServer;
using certctl::testing::targets::TestCa;
namespace fs = std::filesystem;
namespace pki = certctl::sdk::pki;
using nlohmann::json;

namespace {

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

unsigned mode(const fs::path& path) {
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}

ProcessResult runAgent(ServerProcess& server, const fs::path& keyDir,
                       std::map<std::string, std::string> env = {},
                       std::vector<std::string> args = {"--once"}) {
  std::map<std::string, std::string> all = {
      {"CERTCTL_SERVER_URL", "https://127.0.0.1:" + std::to_string(server.port())},
      {"CERTCTL_API_KEY", server.apiKey()},
      {"CERTCTL_CA_BUNDLE", server.caFile().string()},
      {"CERTCTL_KEY_DIR", keyDir.string()},
      {"CERTCTL_AGENT_NAME", "edge-nginx"},
  };
  for (const auto& [k, v] : env) all[k] = v;
  std::vector<std::string> argv = {CERTCTL_AGENT_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return runProcess(argv, all, std::chrono::seconds(120));
}

// Byte strings that would give a private key away: its PEM, every base64
// line of it, its DER and the raw EC private scalar (also as hex).
std::vector<std::string> keyNeedles(const std::string& keyPem) {
  std::vector<std::string> needles = {keyPem};
  std::istringstream lines(keyPem);
  std::string line, body;
  while (std::getline(lines, line)) {
    if (line.rfind("-----", 0) == 0 || line.empty()) continue;
    body += line;
    if (line.size() >= 16) needles.push_back(line);
  }
  needles.push_back(body);
  std::string der = pki::base64Decode(body);
  needles.push_back(der);
  // ECPrivateKey: version 1 (02 01 01), then the 32-byte scalar (04 20 ...).
  static const std::string marker("\x02\x01\x01\x04\x20", 5);
  auto at = der.find(marker);
  REQUIRE(at != std::string::npos);
  std::string scalar = der.substr(at + marker.size(), 32);
  REQUIRE(scalar.size() == 32);
  needles.push_back(scalar);
  static const char* hex = "0123456789abcdef";
  std::string lowerHex, upperHex;
  for (unsigned char c : scalar) {
    lowerHex += hex[c >> 4];
    lowerHex += hex[c & 15];
  }
  for (char c : lowerHex)
    upperHex += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  needles.push_back(lowerHex);
  needles.push_back(upperHex);
  return needles;
}

// Every row of every table as text (PostgreSQL), or "" on SQLite, whose
// database file is read directly with the rest of the data dir.
std::string databaseText(const std::string& url) {
  if (url.rfind("postgres", 0) != 0) return {};
  auto db = certctl::store::Database::open(url, 1);
  auto lease = db->acquire();
  std::vector<std::string> tables;
  *lease << "SELECT table_name::text FROM information_schema.tables WHERE table_schema = "
            "'public' AND table_type = 'BASE TABLE'",
      Poco::Data::Keywords::into(tables), Poco::Data::Keywords::now;
  REQUIRE(tables.size() > 10);
  std::string dump;
  for (const auto& table : tables) {
    Poco::Data::Statement stmt(*lease);
    stmt << "SELECT CAST(t AS text) FROM \"" + table + "\" AS t";
    stmt.execute();
    Poco::Data::RecordSet rs(stmt);
    for (std::size_t row = 0; row < rs.rowCount(); ++row)
      dump += rs.value(0, row).convert<std::string>() + "\n";
  }
  return dump;
}

// What the server holds: its database, every file in its data dir, its log.
std::vector<std::pair<std::string, std::string>> serverHoldings(ServerProcess& server) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& entry : fs::recursive_directory_iterator(server.dataDir()))
    if (entry.is_regular_file()) out.emplace_back(entry.path().string(), slurp(entry.path()));
  out.emplace_back("database rows", databaseText(server.databaseUrl()));
  out.emplace_back("server log", server.log());
  return out;
}

json deploymentsOf(ServerProcess& server, const std::string& certificateId) {
  auto response = server.get("/api/v1/certificates/" + certificateId + "/deployments");
  INFO(response.body);
  REQUIRE(response.status == 200);
  return response.json()["data"];
}

}  // namespace

TEST_CASE("certctl-agent issues with its own key and deploys to a real nginx",
          "[agents][agent-e2e]") {
  ServerProcess server(keygen("agent"));
  TempDir work;
  fs::path keyDir = work.path() / "keys";
  TestCa ca;
  TargetServer nginx(ServerKind::Nginx, work.path() / "nginx", ca);
  nginx.start();

  // First start: registers itself and keeps its id in the key dir.
  auto first = runAgent(server, keyDir);
  INFO(first.output);
  REQUIRE(first.exitCode == 0);
  CHECK(mode(keyDir) == 0700);
  std::string agentId = slurp(keyDir / "agent-id");
  while (!agentId.empty() && agentId.back() == '\n') agentId.pop_back();
  json agent = server.get("/api/v1/agents/" + agentId).json();
  INFO(agent.dump());
  CHECK(agent["name"] == "edge-nginx");
  CHECK(agent["os"] == "linux");
  CHECK(agent["version"].is_string());
  CHECK(agent["capabilities"]["target_types"].dump().find("NGINX") != std::string::npos);
  auto agentsBefore = server.get("/api/v1/agents").json()["total"];
  REQUIRE(runAgent(server, keyDir).exitCode == 0);
  CHECK(server.get("/api/v1/agents").json()["total"] == agentsBefore);  // the same agent

  // An nginx target on this agent, and a certificate the agent keys.
  auto target = server.post("/api/v1/targets", {{"name", "nginx-local"},
                                                {"type", nginx.pluginType()},
                                                {"agent_id", agentId},
                                                {"config", nginx.targetConfig(nginx.main())}});
  INFO(target.body);
  REQUIRE(target.status == 201);
  std::string targetId = target.json()["id"];
  json cert = createCertificate(server, "site", "localhost",
                                {{"sans", {"localhost", "127.0.0.1"}}, {"agent_id", agentId}});
  std::string certId = cert["id"];
  json issuance = waitForJob(server, certId, "AwaitingCSR");
  REQUIRE(server.post("/api/v1/certificates/" + certId + "/targets", {{"target_id", targetId}})
              .status == 201);

  // One cycle: key + CSR, signed, then the deployment job it caused.
  auto run = runAgent(server, keyDir);
  INFO(run.output);
  REQUIRE(run.exitCode == 0);
  waitForJob(server, certId, "Completed", issuance["id"]);
  json versions = versionsOf(server, certId);
  REQUIRE(versions.size() == 1);
  std::string serial = versions[0]["serial_number"];
  std::string fingerprint = versions[0]["fingerprint_sha256"];

  fs::path keyFile = keyDir / (certId + ".key");
  REQUIRE(fs::exists(keyFile));
  CHECK(mode(keyFile) == 0600);
  CHECK_FALSE(fs::exists(keyDir / (certId + ".key.new")));
  std::string firstKey = slurp(keyFile);
  pki::Certificate issued = pki::Certificate::fromPem(slurp(keyDir / (certId + ".crt")));
  CHECK(issued.serialHex() == serial);
  CHECK(pki::PrivateKey::fromPem(firstKey).publicKeyPem() == issued.publicKeyPem());
  CHECK(pki::PrivateKey::fromPem(firstKey).algorithm() == "ECDSA");

  json deployments = deploymentsOf(server, certId);
  REQUIRE(deployments.size() == 1);
  json deployment = deployments[0];
  INFO(deployment.dump());
  CHECK(deployment["status"] == "Completed");
  CHECK(deployment["target_id"] == targetId);
  CHECK(deployment["agent_id"] == agentId);
  CHECK(deployment["verification_status"] == "success");
  json verification =
      server.get("/api/v1/jobs/" + deployment["id"].get<std::string>() + "/verification").json();
  CHECK(verification["verification_fingerprint"] == fingerprint);
  CHECK(verification["verified"] == true);
  // nginx itself, read with openssl s_client, presents the issued serial.
  CHECK(certctl::sdk::deploy::normalizeSerial(nginx.waitFor(nginx.main(), serial)) ==
        certctl::sdk::deploy::normalizeSerial(serial));
  CHECK(server.get("/api/v1/certificates/" + certId).json()["last_deployment_at"].is_string());

  // Renewal: a new key on the agent, a new serial on nginx.
  auto renew = server.post("/api/v1/certificates/" + certId + "/renew", json::object());
  INFO(renew.body);
  REQUIRE(renew.status == 202);
  std::string renewalId = renew.json()["id"];
  auto second = runAgent(server, keyDir);
  INFO(second.output);
  REQUIRE(second.exitCode == 0);
  waitForJob(server, certId, "Completed", renewalId);
  versions = versionsOf(server, certId);
  REQUIRE(versions.size() == 2);
  std::string renewedSerial;
  for (const auto& v : versions)
    if (v["serial_number"] != serial) renewedSerial = v["serial_number"];
  REQUIRE_FALSE(renewedSerial.empty());
  std::string secondKey = slurp(keyFile);
  CHECK(secondKey != firstKey);
  CHECK(mode(keyFile) == 0600);
  CHECK(certctl::sdk::deploy::normalizeSerial(nginx.waitFor(nginx.main(), renewedSerial)) ==
        certctl::sdk::deploy::normalizeSerial(renewedSerial));
  deployments = deploymentsOf(server, certId);
  CHECK(deployments.size() == 2);
  for (const auto& d : deployments) CHECK(d["status"] == "Completed");

  // Deploy on demand (POST /certificates/{id}/deploy): the same material
  // again, completed and verified.
  auto trigger = server.post("/api/v1/certificates/" + certId + "/deploy", json::object());
  INFO(trigger.body);
  REQUIRE(trigger.status == 202);
  REQUIRE(trigger.json()["count"] == 1);
  std::string onDemand = trigger.json()["jobs"][0]["id"];
  REQUIRE(runAgent(server, keyDir).exitCode == 0);
  json job = server.get("/api/v1/jobs/" + onDemand).json();
  CHECK(job["status"] == "Completed");
  CHECK(job["verification_status"] == "success");

  // No byte of either private key is anywhere on the server's side, while
  // the certificates it signed are (so the scan looks in the right places).
  std::string certBase64Line;
  {
    std::istringstream lines(issued.toPem());
    std::getline(lines, certBase64Line);
    std::getline(lines, certBase64Line);
  }
  auto holdings = serverHoldings(server);
  bool certSeen = false;
  for (const auto& [where, content] : holdings)
    if (content.find(certBase64Line) != std::string::npos) certSeen = true;
  CHECK(certSeen);
  // The needles do find the key where it is: in the agent's key file.
  CHECK(slurp(keyFile).find(keyNeedles(secondKey)[1]) != std::string::npos);
  for (const std::string& key : {firstKey, secondKey}) {
    auto needles = keyNeedles(key);
    for (const auto& [where, content] : holdings) {
      for (const auto& needle : needles) {
        INFO(where);
        CHECK(content.find(needle) == std::string::npos);
      }
    }
  }
}

TEST_CASE("certctl-agent exits cleanly when retired and refuses a server it cannot verify",
          "[agents][agent-e2e]") {
  ServerProcess server;
  TempDir work;

  // Bad configuration: exit code 2, naming the setting.
  auto noKey = runAgent(server, work.path() / "k0", {{"CERTCTL_API_KEY", ""}});
  CHECK(noKey.exitCode == 2);
  CHECK(noKey.output.find("CERTCTL_API_KEY") != std::string::npos);
  auto badInterval =
      runAgent(server, work.path() / "k0", {{"CERTCTL_AGENT_POLL_INTERVAL", "often"}});
  CHECK(badInterval.exitCode == 2);
  CHECK(badInterval.output.find("CERTCTL_AGENT_POLL_INTERVAL") != std::string::npos);
  CHECK(runAgent(server, work.path() / "k0", {}, {"--once", "--agent-id", "../etc"}).exitCode == 2);
  auto help = runAgent(server, work.path() / "k0", {}, {"--help"});
  CHECK(help.exitCode == 0);
  CHECK(help.output.find("CERTCTL_CA_BUNDLE") != std::string::npos);

  // A server whose certificate does not chain to the bundle is not spoken to.
  auto total = server.get("/api/v1/agents").json()["total"];
  pki::PrivateKey otherKey = pki::PrivateKey::generateEcP256();
  fs::path otherCa = work.path() / "other-ca.crt";
  std::ofstream(otherCa) << pki::CertificateBuilder()
                                .commonName("not the server's CA")
                                .ca(true)
                                .validFor(std::chrono::hours(1))
                                .selfSign(otherKey)
                                .toPem();
  auto untrusted = runAgent(server, work.path() / "k1", {{"CERTCTL_CA_BUNDLE", otherCa.string()}});
  INFO(untrusted.output);
  CHECK(untrusted.exitCode == 1);
  auto system = runAgent(server, work.path() / "k2", {{"CERTCTL_CA_BUNDLE", ""}});
  CHECK(system.exitCode == 1);
  CHECK(server.get("/api/v1/agents").json()["total"] == total);
  CHECK_FALSE(fs::exists(work.path() / "k1" / "agent-id"));

  // Retired (DELETE /agents/{id}): the agent API answers 410 and the
  // agent stops with exit code 0.
  auto registered = server.post("/api/v1/agents", {{"name", "old-edge"}});
  REQUIRE(registered.status == 201);
  std::string id = registered.json()["id"];
  REQUIRE(server.del("/api/v1/agents/" + id + "?reason=test").status == 200);
  auto gone = server.post("/api/v1/agents/" + id + "/heartbeat", json::object());
  CHECK(gone.status == 410);
  CHECK(gone.json()["error"]["code"] == "agent_retired");
  CHECK(server.get("/api/v1/agents/" + id + "/work").status == 410);
  auto retired = runAgent(server, work.path() / "k3", {{"CERTCTL_AGENT_ID", id}});
  INFO(retired.output);
  CHECK(retired.exitCode == 0);
  CHECK(retired.output.find("retired") != std::string::npos);
  // Retired agents are listed apart.
  CHECK(server.get("/api/v1/agents").json()["total"] == total.get<int>());
  CHECK(server.get("/api/v1/agents/retired").json()["total"] == 1);
}

// Every real server the agent deploys to, end to end: server + agent + that
// server; the agent's certificate is what the live endpoint presents. Then a
// renewal whose deployment fails the server's config test leaves the old
// certificate served.
TEST_CASE("certctl-agent deploys to each real server, and a failed deploy keeps the old one",
          "[agents][agent-e2e]") {
  const ServerKind kind = GENERATE(ServerKind::Nginx, ServerKind::Apache, ServerKind::Haproxy,
                                   ServerKind::Postfix, ServerKind::Dovecot, ServerKind::Caddy);
  ServerProcess server(keygen("agent"));
  TempDir work;
  fs::path keyDir = work.path() / "keys";
  TestCa ca;
  TargetServer live(kind, work.path() / "server", ca);
  live.start();
  INFO("target type " << live.pluginType());

  REQUIRE(runAgent(server, keyDir).exitCode == 0);  // registers
  std::string agentId = slurp(keyDir / "agent-id");
  while (!agentId.empty() && agentId.back() == '\n') agentId.pop_back();
  auto target = server.post("/api/v1/targets", {{"name", "live-target"},
                                                {"type", live.pluginType()},
                                                {"agent_id", agentId},
                                                {"config", live.targetConfig(live.main())}});
  INFO(target.body);
  REQUIRE(target.status == 201);
  json cert = createCertificate(server, "site", "localhost",
                                {{"sans", {"localhost", "127.0.0.1"}}, {"agent_id", agentId}});
  std::string certId = cert["id"];
  json issuance = waitForJob(server, certId, "AwaitingCSR");
  REQUIRE(
      server
          .post("/api/v1/certificates/" + certId + "/targets", {{"target_id", target.json()["id"]}})
          .status == 201);

  auto run = runAgent(server, keyDir);
  INFO(run.output);
  REQUIRE(run.exitCode == 0);
  waitForJob(server, certId, "Completed", issuance["id"]);
  json versions = versionsOf(server, certId);
  REQUIRE(versions.size() == 1);
  std::string serial = versions[0]["serial_number"];
  CHECK(certctl::sdk::deploy::normalizeSerial(live.waitFor(live.main(), serial)) ==
        certctl::sdk::deploy::normalizeSerial(serial));
  json deployments = deploymentsOf(server, certId);
  REQUIRE(deployments.size() == 1);
  CHECK(deployments[0]["status"] == "Completed");
  CHECK(deployments[0]["verification_status"] == "success");

  // The renewal is signed, but its deployment fails the config test.
  live.breakConfig();
  auto renew = server.post("/api/v1/certificates/" + certId + "/renew", json::object());
  REQUIRE(renew.status == 202);
  auto failing = runAgent(server, keyDir);
  INFO(failing.output);
  CHECK(failing.exitCode == 1);
  waitForJob(server, certId, "Completed", renew.json()["id"]);
  REQUIRE(versionsOf(server, certId).size() == 2);
  deployments = deploymentsOf(server, certId);
  bool failed = false;
  for (const auto& d : deployments) failed = failed || d["status"] == "Failed";
  CHECK(failed);
  live.repairConfig();
  CHECK(certctl::sdk::deploy::normalizeSerial(live.served(live.main())) ==
        certctl::sdk::deploy::normalizeSerial(serial));
}
