// The agent API on the real server, without the agent binary: heartbeats
// land in the agents table in batches, work lists an agent's jobs with what
// it needs, status reports move deployment jobs, and every malformed request
// is a 4xx naming the field that leaves the database as it was.
#include <catch2/catch.hpp>

#include <thread>

#include "core/domain/resources.h"
#include "core/store/database.h"
#include "core/store/sql_resource_repository.h"
#include "tests/integration/lifecycle/lifecycle_test_util.h"
#include "tests/support/process.h"

using namespace certctl::testing;
using namespace certctl::testing::lifecycle;
using nlohmann::json;

namespace {

std::string registerAgent(ServerProcess& server, const std::string& name) {
  auto response = server.post("/api/v1/agents", {{"name", name}, {"hostname", name}});
  INFO(response.body);
  REQUIRE(response.status == 201);
  return response.json()["id"];
}

struct BadRequest {
  std::string method;
  std::string path;
  std::string body;
  int status;
  std::string field;  // "" when the error names none
};

void expectRefused(ServerProcess& server, const std::vector<BadRequest>& cases) {
  for (const auto& c : cases) {
    auto response = server.request(c.method, c.path, c.body);
    INFO(c.method << " " << c.path << " " << c.body << " -> " << response.body);
    CHECK(response.status == c.status);
    CHECK(response.json().contains("error"));
    if (!c.field.empty()) CHECK(errorField(response) == c.field);
  }
}

// Everything a refused request could have changed.
json snapshot(ServerProcess& server, const std::string& agentId) {
  return {{"agent", server.get("/api/v1/agents/" + agentId).json()},
          {"jobs", server.get("/api/v1/jobs?per_page=100").json()["data"]},
          {"certificates", server.get("/api/v1/certificates?per_page=100").json()["data"]}};
}

}  // namespace

TEST_CASE("agent API: heartbeat metadata is written in batches", "[agents][agent-api]") {
  ServerProcess server;
  std::string id = registerAgent(server, "hb-1");
  std::string registered = server.get("/api/v1/agents/" + id).json()["last_heartbeat_at"];

  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // a later second
  auto beat = server.post("/api/v1/agents/" + id + "/heartbeat", {{"os", "plan9"},
                                                                  {"arch", "mips64"},
                                                                  {"hostname", "hb-1.example.net"},
                                                                  {"ip_address", "198.51.100.7"},
                                                                  {"version", "9.9.9"}});
  INFO(beat.body);
  REQUIRE(beat.status == 200);
  CHECK(beat.json()["status"] == "heartbeat_recorded");
  // An empty body is a heartbeat without metadata.
  CHECK(server.request("POST", "/api/v1/agents/" + id + "/heartbeat", "").status == 200);

  json agent;
  bool flushed = eventually(
      [&] {
        agent = server.get("/api/v1/agents/" + id).json();
        return agent["os"] == "plan9";
      },
      std::chrono::seconds(15));
  INFO(agent.dump());
  REQUIRE(flushed);
  CHECK(agent["architecture"] == "mips64");
  CHECK(agent["hostname"] == "hb-1.example.net");
  CHECK(agent["ip_address"] == "198.51.100.7");
  CHECK(agent["version"] == "9.9.9");
  CHECK(agent["status"] == "Online");
  CHECK(agent["last_heartbeat_at"].get<std::string>() > registered);

  // The last batch is written on shutdown too.
  REQUIRE(server.post("/api/v1/agents/" + id + "/heartbeat", {{"version", "10.0.0"}}).status ==
          200);
  REQUIRE(server.stop() == 0);
  auto db = certctl::store::Database::open(server.databaseUrl(), 1);
  certctl::store::SqlResourceRepository repository(*db);
  auto stored = repository.get(*certctl::domain::findResource("agents"), id);
  REQUIRE(stored);
  CHECK((*stored)["version"] == "10.0.0");
  CHECK((*stored)["os"] == "plan9");
}

TEST_CASE("agent API: work, pickup, status and deploy refuse bad input and write nothing",
          "[agents][agent-api]") {
  ServerProcess server(keygen("agent"));
  std::string agent = registerAgent(server, "edge-1");
  std::string other = registerAgent(server, "edge-2");
  json cert = createCertificate(
      server, "api", "api.example.com",
      {{"sans", {"api.example.com", "10.1.2.3", "ops@example.com"}}, {"agent_id", agent}});
  std::string certId = cert["id"];
  json job = waitForJob(server, certId, "AwaitingCSR");
  std::string jobId = job["id"];
  auto target = server.post(
      "/api/v1/targets", {{"name", "web"},
                          {"type", "NGINX"},
                          {"agent_id", agent},
                          {"config", {{"cert_path", "/tmp/c.pem"}, {"key_path", "/tmp/k.pem"}}}});
  REQUIRE(target.status == 201);
  std::string targetId = target.json()["id"];

  // Work: the AwaitingCSR issuance with the names and the key to make.
  auto work = server.get("/api/v1/agents/" + agent + "/work");
  INFO(work.body);
  REQUIRE(work.status == 200);
  REQUIRE(work.json()["count"] == 1);
  json item = work.json()["jobs"][0];
  CHECK(item["id"] == jobId);
  CHECK(item["type"] == "Issuance");
  CHECK(item["status"] == "AwaitingCSR");
  CHECK(item["common_name"] == "api.example.com");
  CHECK(item["sans"] == json({"api.example.com", "10.1.2.3", "ops@example.com"}));
  CHECK(item["key_algorithm"] == "ECDSA");
  CHECK(item["key_size"] == 256);
  auto none = server.get("/api/v1/agents/" + other + "/work");
  CHECK(none.status == 200);
  CHECK(none.json()["jobs"] == json::array());

  // A profile decides the key the agent makes.
  auto profile =
      server.post("/api/v1/profiles",
                  {{"name", "rsa-only"},
                   {"allowed_key_algorithms", {{{"algorithm", "RSA"}, {"min_size", 3072}}}}});
  REQUIRE(profile.status == 201);
  json rsaCert = createCertificate(server, "legacy", "legacy.example.com",
                                   {{"agent_id", other}, {"profile_id", profile.json()["id"]}});
  waitForJob(server, rsaCert["id"], "AwaitingCSR");
  json rsaItem = server.get("/api/v1/agents/" + other + "/work").json()["jobs"][0];
  CHECK(rsaItem["key_algorithm"] == "RSA");
  CHECK(rsaItem["key_size"] == 3072);

  json before = snapshot(server, agent);
  std::string base = "/api/v1/agents/" + agent;
  std::string status = base + "/jobs/" + jobId + "/status";
  expectRefused(
      server,
      {
          // heartbeat
          {"POST", base + "/heartbeat", R"({"os": 5})", 400, "os"},
          {"POST", base + "/heartbeat", R"({"os": "linux", "uptime": 7})", 400, "uptime"},
          {"POST", base + "/heartbeat", R"({"version": ")" + std::string(65, '1') + R"("})", 400,
           "version"},
          {"POST", base + "/heartbeat", R"({"hostname": ["a"]})", 400, "hostname"},
          {"POST", base + "/heartbeat", R"({"os": )", 400, "body"},
          {"POST", base + "/heartbeat", "[1]", 400, "body"},
          {"POST", "/api/v1/agents/a-missing/heartbeat", "{}", 404, ""},
          // work and pickup
          {"GET", "/api/v1/agents/a-missing/work", "", 404, ""},
          {"GET", base + "/certificates/" + certId, "", 404, ""},  // nothing issued yet
          {"GET", "/api/v1/agents/" + other + "/certificates/" + certId, "", 404, ""},
          {"GET", base + "/certificates/mc-missing", "", 404, ""},
          // status
          {"POST", status, "{}", 400, "status"},
          {"POST", status, R"({"status": "Done"})", 400, "status"},
          {"POST", status, R"({"status": 3})", 400, "status"},
          {"POST", status, R"({"status": "Failed"})", 400, "error"},
          {"POST", status, R"({"status": "Running", "progress": 50})", 400, "progress"},
          {"POST", status, R"({"status": "Completed", "verification": "yes"})", 400,
           "verification"},
          {"POST", status, R"({"status": "Completed", "verification": {"status": "success"}})", 400,
           "verification.fingerprint"},
          {"POST", status, R"({"status": "Completed", "verification": {"status": "great"}})", 400,
           "verification.status"},
          {"POST", status,
           R"({"status": "Completed", "verification": {"status": "success", "fingerprint": "xyz"}})",
           400, "verification.fingerprint"},
          {"POST", status, R"({"status": "Running", "verification": {"status": "skipped"}})", 400,
           "verification"},
          {"POST", status, R"({"status": "Completed", "result": [1]})", 400, "result"},
          {"POST", status, R"({"status": "Completed", "verification": {"status": "skipped"}})", 400,
           "verification"},                                         // not a deployment job
          {"POST", status, R"({"status": "Completed"})", 409, ""},  // completes through the CSR
          {"POST", status, "not json", 400, "body"},
          {"POST", "/api/v1/agents/" + other + "/jobs/" + jobId + "/status",
           R"({"status": "Failed", "error": "x"})", 404, ""},
          {"POST", base + "/jobs/j-missing/status", R"({"status": "Running"})", 404, ""},
          // deployments and mappings
          {"POST", "/api/v1/certificates/" + certId + "/deploy", "", 409, ""},  // no version yet
          {"POST", "/api/v1/certificates/" + certId + "/deploy", R"({"target": "t-1"})", 400,
           "target"},
          {"POST", "/api/v1/certificates/mc-missing/deploy", "", 404, ""},
          {"POST", "/api/v1/certificates/" + certId + "/targets", "{}", 400, "target_id"},
          {"POST", "/api/v1/certificates/" + certId + "/targets", R"({"target_id": "t-missing"})",
           400, "target_id"},
          {"POST", "/api/v1/certificates/" + certId + "/targets", R"({"target_id": 7})", 400,
           "target_id"},
          {"DELETE", "/api/v1/certificates/" + certId + "/targets/" + targetId, "", 404, ""},
          {"GET", "/api/v1/jobs/j-missing/verification", "", 404, ""},
          {"POST", "/api/v1/jobs/" + jobId + "/verify", R"({"target_id": "x"})", 400, ""},
      });
  CHECK(snapshot(server, agent) == before);

  // Mapping a target is idempotent and can be undone.
  auto mapped =
      server.post("/api/v1/certificates/" + certId + "/targets", {{"target_id", targetId}});
  CHECK(mapped.status == 201);
  CHECK(server.post("/api/v1/certificates/" + certId + "/targets", {{"target_id", targetId}})
            .status == 200);
  auto listed = server.get("/api/v1/certificates/" + certId + "/targets").json();
  REQUIRE(listed["total"] == 1);
  CHECK(listed["data"][0]["id"] == targetId);

  // The agent gives up on an issuance it cannot make a key for: the job fails.
  auto failed = server.post(status, {{"status", "Failed"}, {"error", "no entropy"}});
  INFO(failed.body);
  REQUIRE(failed.status == 200);
  CHECK(failed.json()["job"]["status"] == "Failed");
  CHECK(failed.json()["job"]["last_error"].get<std::string>().find("no entropy") !=
        std::string::npos);
  // Reported again: the same answer, nothing changes.
  CHECK(server.post(status, {{"status", "Failed"}, {"error", "again"}}).status == 200);
  CHECK(server.get("/api/v1/agents/" + agent + "/work").json()["count"] == 0);
}
