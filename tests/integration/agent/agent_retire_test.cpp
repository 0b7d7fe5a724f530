// DELETE /api/v1/agents/{id} against the real server (SQLite and
// PostgreSQL): a soft delete with the dependency counts, refused with 409
// while dependencies remain, the force cascade in one transaction, the
// sentinel agents never retired, GET /agents/retired, and 410 afterwards.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "tests/integration/lifecycle/lifecycle_test_util.h"
#include "tests/support/server_process.h"

using namespace certctl::testing;
using namespace certctl::testing::lifecycle;
using nlohmann::json;

namespace {

json expectJson(const HttpResult& response, int status) {
  INFO(response.body);
  REQUIRE(response.status == status);
  return response.json();
}

std::string newAgent(ServerProcess& server, const std::string& name) {
  return expectJson(server.post("/api/v1/agents", {{"name", name}}), 201)["id"];
}

std::vector<std::string> listedIds(ServerProcess& server, const std::string& path) {
  std::vector<std::string> ids;
  json page = expectJson(server.get(path), 200);
  for (const auto& a : page["data"]) ids.push_back(a["id"]);
  return ids;
}

bool contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

}  // namespace

TEST_CASE("agent retirement: soft delete, retired list and 410 afterwards", "[agents][retire]") {
  ServerProcess server;
  std::string idle = newAgent(server, "retire-idle");
  std::string kept = newAgent(server, "retire-kept");

  auto retired = expectJson(server.del("/api/v1/agents/" + idle + "?reason=host%20gone"), 200);
  CHECK(retired["dependencies"] == json{{"certificates", 0}, {"targets", 0}, {"pending_jobs", 0}});
  CHECK(retired["cascade"]["forced"] == false);
  CHECK(retired["agent"]["retired_reason"] == "host gone");
  CHECK_FALSE(retired["agent"]["retired_at"].is_null());

  CHECK_FALSE(contains(listedIds(server, "/api/v1/agents"), idle));
  CHECK(contains(listedIds(server, "/api/v1/agents"), kept));
  CHECK(listedIds(server, "/api/v1/agents/retired") == std::vector<std::string>{idle});
  CHECK(expectJson(server.get("/api/v1/agents/" + idle), 200)["retired_reason"] == "host gone");

  auto again = server.del("/api/v1/agents/" + idle);
  CHECK(again.status == 409);
  auto beat = server.post("/api/v1/agents/" + idle + "/heartbeat", json::object());
  CHECK(beat.status == 410);
  CHECK(beat.json()["error"]["code"] == "agent_retired");
  CHECK(server.post("/api/v1/agents/" + idle + "/discoveries", {{"certificates", json::array()}})
            .status == 410);

  CHECK(server.del("/api/v1/agents/a-unknown").status == 404);
  CHECK(server.del("/api/v1/agents/" + kept + "?force=maybe").status == 400);
  CHECK(server.del("/api/v1/agents/" + kept + "?cascade=true").status == 400);
  for (const char* sentinel :
       {"server-scanner", "cloud-aws-sm", "cloud-azure-kv", "cloud-gcp-sm"}) {
    auto refused = server.del(std::string("/api/v1/agents/") + sentinel + "?force=true&reason=x");
    CHECK(refused.status == 403);
    CHECK(refused.json()["error"]["code"] == "sentinel_agent");
  }
  CHECK(contains(listedIds(server, "/api/v1/agents"), kept));

  auto events = expectJson(server.get("/api/v1/audit?action=agent.retired"), 200)["data"];
  REQUIRE(events.size() == 1);
  CHECK(events[0]["resource_id"] == idle);
  CHECK(events[0]["details"]["reason"] == "host gone");
}

TEST_CASE("agent retirement: dependencies block it, force cascades in one transaction",
          "[agents][retire]") {
  ServerProcess server;
  std::string agent = newAgent(server, "retire-busy");
  json cert = createCertificate(server, "retire-cert", "busy.example.com", {{"agent_id", agent}});
  json job = waitForJob(server, cert["id"], "AwaitingCSR");
  auto target = expectJson(
      server.post("/api/v1/targets",
                  {{"name", "busy-web"},
                   {"type", "NGINX"},
                   {"agent_id", agent},
                   {"config", {{"cert_path", "/tmp/c.pem"}, {"key_path", "/tmp/k.pem"}}}}),
      201);
  std::string targetId = target["id"];
  std::string path = "/api/v1/agents/" + agent;

  auto blocked = server.del(path);
  INFO(blocked.body);
  REQUIRE(blocked.status == 409);
  CHECK(blocked.json()["error"]["code"] == "agent_has_dependencies");
  CHECK(blocked.json()["dependencies"] ==
        json{{"certificates", 1}, {"targets", 1}, {"pending_jobs", 1}});
  CHECK(server.del(path + "?force=true").status == 400);  // force needs a reason
  // Nothing changed.
  CHECK(expectJson(server.get(path), 200)["retired_at"].is_null());
  CHECK(expectJson(server.get("/api/v1/jobs/" + job["id"].get<std::string>()), 200)["status"] ==
        "AwaitingCSR");
  CHECK(expectJson(server.get("/api/v1/targets/" + targetId), 200)["retired_at"].is_null());

  auto forced = expectJson(server.del(path + "?force=true&reason=decommissioned"), 200);
  CHECK(forced["dependencies"] == json{{"certificates", 1}, {"targets", 1}, {"pending_jobs", 1}});
  CHECK(forced["cascade"] == json{{"forced", true}, {"jobs_cancelled", 1}, {"targets_retired", 1}});
  auto cancelled = expectJson(server.get("/api/v1/jobs/" + job["id"].get<std::string>()), 200);
  CHECK(cancelled["status"] == "Cancelled");
  auto t = expectJson(server.get("/api/v1/targets/" + targetId), 200);
  CHECK_FALSE(t["retired_at"].is_null());
  CHECK(t["retired_reason"] == "decommissioned");
  CHECK(t["enabled"] == false);
  CHECK(expectJson(server.get(path), 200)["retired_reason"] == "decommissioned");

  auto events = expectJson(server.get("/api/v1/audit?action=agent.force_retired"), 200)["data"];
  REQUIRE(events.size() == 1);
  CHECK(events[0]["details"]["cascade"]["jobs_cancelled"] == 1);
  CHECK(events[0]["details"]["dependencies"]["targets"] == 1);
}
