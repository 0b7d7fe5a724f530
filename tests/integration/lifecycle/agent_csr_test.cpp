// Agent keygen (the default): a certificate assigned to an agent gets an
// Issuance job in AwaitingCSR; POST /agents/{id}/csr with a CSR made by
// `openssl req` signs it synchronously, and every malformed submission is a
// 4xx that writes nothing.
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/integration/lifecycle/lifecycle_test_util.h"
#include "tests/support/process.h"

using namespace certctl::testing;
using namespace certctl::testing::lifecycle;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

json registerAgent(ServerProcess& server, const std::string& name) {
  auto response = server.post("/api/v1/agents", {{"name", name},
                                                 {"hostname", name + ".example.com"},
                                                 {"os", "linux"},
                                                 {"arch", "amd64"},
                                                 {"version", "1.4.0"}});
  INFO(response.body);
  REQUIRE(response.status == 201);
  return response.json();
}

}  // namespace

TEST_CASE("POST /agents registers an agent; bad input writes nothing", "[lifecycle][agents]") {
  ServerProcess server;
  json agent = registerAgent(server, "edge-1");
  CHECK(agent["id"].get<std::string>().rfind("a-", 0) == 0);
  CHECK(agent["status"] == "Online");
  CHECK(agent["os"] == "linux");
  CHECK(agent["architecture"] == "amd64");
  CHECK(agent["version"] == "1.4.0");
  CHECK(agent["ip_address"] == "127.0.0.1");  // from the connection when not reported
  CHECK(agent["registered_at"].is_string());
  CHECK(agent["last_heartbeat_at"].is_string());
  CHECK(server.get("/api/v1/agents/" + agent["id"].get<std::string>()).status == 200);

  auto before = server.get("/api/v1/agents").json()["total"];
  struct Case {
    std::string body;
    const char* field;
  };
  const Case cases[] = {
      {R"({"hostname": 5})", "hostname"},
      {R"({"name": "x", "os": ["linux"]})", "os"},
      {R"({"name": "x", "version": ")" + std::string(100, '1') + R"("})", "version"},
      {R"({"name": "x", "api_key": "secret"})", "api_key"},
      {R"({"name": "x", "status": "Offline"})", "status"},
      {R"({"name": "x", "capabilities": "all"})", "capabilities"},
      {R"({"os": "linux"})", "name"},
      {R"([1])", "body"},
      {R"({"name": )", "body"},
  };
  for (const auto& c : cases) {
    auto response = server.request("POST", "/api/v1/agents", c.body);
    INFO(c.body << " -> " << response.body);
    CHECK(response.status == 400);
    CHECK(errorField(response) == c.field);
  }
  CHECK(server.get("/api/v1/agents").json()["total"] == before);
}

TEST_CASE("agent keygen: AwaitingCSR, CSR submission, renewal", "[lifecycle][agents]") {
  ServerProcess server(keygen("agent"));
  TempDir work;
  json agent = registerAgent(server, "web-1");
  std::string agentId = agent["id"];
  json other = registerAgent(server, "web-2");

  json cert = createCertificate(
      server, "shop", "shop.example.com",
      {{"sans", {"shop.example.com", "checkout.example.com"}}, {"agent_id", agentId}});
  std::string id = cert["id"];
  json job = waitForJob(server, id, "AwaitingCSR");
  CHECK(job["type"] == "Issuance");
  CHECK(job["agent_id"] == agentId);
  CHECK(server.get("/api/v1/certificates/" + id).json()["status"] == "Pending");

  std::string csr =
      opensslCsr(work.path(), "shop.example.com", {"shop.example.com", "checkout.example.com"});
  std::string path = "/api/v1/agents/" + agentId + "/csr";

  SECTION("bad submissions are refused and change nothing") {
    std::string otherCsrDir = (work.path() / "other").string();
    fs::create_directories(otherCsrDir);
    std::string wrongNames = opensslCsr(otherCsrDir, "evil.example.org", {"evil.example.org"});
    std::string tampered = csr;
    // Flip one base64 character inside the signature (near the end).
    auto endMarker = tampered.find("-----END");
    REQUIRE(endMarker != std::string::npos);
    size_t pos = endMarker - 10;
    tampered[pos] = tampered[pos] == 'A' ? 'B' : 'A';
    struct Case {
      const char* what;
      std::string path;
      json body;
      int status;
      const char* field;
    };
    const Case cases[] = {
        {"unknown agent",
         "/api/v1/agents/a-nope/csr",
         {{"csr_pem", csr}, {"job_id", job["id"]}},
         404,
         ""},
        {"no csr", path, {{"job_id", job["id"]}}, 400, "csr_pem"},
        {"no job or certificate", path, {{"csr_pem", csr}}, 400, "job_id"},
        {"csr not a string", path, {{"csr_pem", 42}, {"job_id", job["id"]}}, 400, "csr_pem"},
        {"unknown field",
         path,
         {{"csr_pem", csr}, {"job_id", job["id"]}, {"key", "x"}},
         400,
         "key"},
        {"garbage csr",
         path,
         {{"csr_pem", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n"}, {"job_id", job["id"]}},
         400,
         "csr_pem"},
        {"tampered signature",
         path,
         {{"csr_pem", tampered}, {"job_id", job["id"]}},
         400,
         "csr_pem"},
        {"names the certificate does not have",
         path,
         {{"csr_pem", wrongNames}, {"job_id", job["id"]}},
         400,
         "csr_pem"},
        {"job of another agent",
         "/api/v1/agents/" + other["id"].get<std::string>() + "/csr",
         {{"csr_pem", csr}, {"job_id", job["id"]}},
         409,
         ""},
        {"no such job", path, {{"csr_pem", csr}, {"job_id", "j-nope"}}, 409, ""},
        {"certificate without an awaiting job",
         path,
         {{"csr_pem", csr}, {"certificate_id", "mc-nope"}},
         409,
         ""},
    };
    for (const auto& c : cases) {
      auto response = server.post(c.path, c.body);
      INFO(c.what << " -> " << response.body);
      CHECK(response.status == c.status);
      if (c.status == 400) CHECK(errorField(response) == c.field);
    }
    auto raw = server.request("POST", path, "not json");
    CHECK(raw.status == 400);
    // Nothing was written: the job still waits, no version exists.
    CHECK(server.get("/api/v1/jobs/" + job["id"].get<std::string>()).json()["status"] ==
          "AwaitingCSR");
    CHECK(versionsOf(server, id).empty());
    CHECK(server.get("/api/v1/certificates/" + id).json()["status"] == "Pending");
  }

  SECTION("a good CSR is signed at once; the renewal waits for the next one") {
    // "csr" is accepted as an alias, and the certificate id instead of the job id.
    auto response = server.post(path, {{"csr", csr}, {"certificate_id", id}});
    INFO(response.body);
    REQUIRE(response.status == 200);
    json issued = response.json();
    CHECK(issued["job_id"] == job["id"]);
    CHECK(issued["certificate_id"] == id);
    CHECK(issued["version_id"].get<std::string>().rfind("cv-", 0) == 0);
    CHECK_FALSE(issued["serial_number"].get<std::string>().empty());
    CHECK(issued["not_after"].is_string());
    auto verify = opensslVerify(work.path(), localCaCert(server), issued["cert_pem"]);
    INFO(verify.output);
    CHECK(verify.exitCode == 0);
    CHECK(issued["chain_pem"].get<std::string>().find("BEGIN CERTIFICATE") != std::string::npos);
    // The certificate carries the agent's key (openssl's view of both).
    auto agentPub =
        runProcess({"openssl", "pkey", "-in", (work.path() / "agent.key").string(), "-pubout"});
    CHECK(opensslX509(work.path(), issued["cert_pem"], {"-pubkey"}) == agentPub.output);

    json done = server.get("/api/v1/jobs/" + job["id"].get<std::string>()).json();
    CHECK(done["status"] == "Completed");
    json record = server.get("/api/v1/certificates/" + id).json();
    CHECK(record["status"] == "Active");
    CHECK(record["expires_at"] == issued["not_after"]);
    json versions = versionsOf(server, id);
    REQUIRE(versions.size() == 1);
    CHECK(versions[0]["csr_pem"] == csr);
    CHECK(versions[0]["serial_number"] == issued["serial_number"]);
    // No key was made or kept by the server in agent mode.
    CHECK_FALSE(fs::exists(server.dataDir() / "server-keys"));

    // The same CSR again: the job is done, nothing awaits.
    CHECK(server.post(path, {{"csr_pem", csr}, {"job_id", job["id"]}}).status == 409);

    // Renewal in agent mode: RenewalInProgress, AwaitingCSR, a second version.
    auto renew = server.post("/api/v1/certificates/" + id + "/renew", json::object());
    REQUIRE(renew.status == 202);
    std::string renewalId = renew.json()["id"];
    waitForJob(server, id, "AwaitingCSR", renewalId);
    CHECK(server.get("/api/v1/certificates/" + id).json()["status"] == "RenewalInProgress");
    CHECK(server.post("/api/v1/certificates/" + id + "/renew", json::object()).status == 409);
    std::string csr2 = opensslCsr(work.path(), "shop.example.com", {"checkout.example.com"});
    auto second = server.post(path, {{"csr_pem", csr2}, {"job_id", renewalId}});
    INFO(second.body);
    REQUIRE(second.status == 200);
    CHECK(second.json()["serial_number"] != issued["serial_number"]);
    CHECK(versionsOf(server, id).size() == 2);
    CHECK(server.get("/api/v1/certificates/" + id).json()["status"] == "Active");
    // Export returns the newest version.
    auto pem = server.get("/api/v1/certificates/" + id + "/export/pem").json();
    CHECK(pem["serial_number"] == second.json()["serial_number"]);
  }
}

TEST_CASE("reassigning the agent moves the waiting job to the new agent", "[lifecycle][agents]") {
  ServerProcess server(keygen("agent"));
  json a = registerAgent(server, "old");
  json b = registerAgent(server, "new");
  json cert = createCertificate(server, "moving", "moving.example.com", {{"agent_id", a["id"]}});
  std::string id = cert["id"];
  json job = waitForJob(server, id, "AwaitingCSR");
  CHECK(job["agent_id"] == a["id"]);
  REQUIRE(server.put("/api/v1/certificates/" + id, {{"agent_id", b["id"]}}).status == 200);
  CHECK(server.get("/api/v1/jobs/" + job["id"].get<std::string>()).json()["agent_id"] == b["id"]);
  // A certificate without an agent waits too, for whoever gets assigned.
  json orphan = createCertificate(server, "orphan", "orphan.example.com");
  json waiting = waitForJob(server, orphan["id"], "AwaitingCSR");
  CHECK(waiting["agent_id"].is_null());
}
