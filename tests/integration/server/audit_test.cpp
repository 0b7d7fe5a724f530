// The audit middleware of the real certctl-server: every API call leaves an
// event with who, what, the body's hash, the outcome and the request id.
#include <catch2/catch.hpp>

#include "tests/integration/server/server_test_util.h"
#include "tests/support/server_process.h"

using namespace certctl::testing;
using namespace certctl::testing::server;
using nlohmann::json;

namespace {

// The audit event of one request, polled because reads are written
// asynchronously (within ~250 ms); null if it never shows up.
json auditEvent(ServerProcess& server, const std::string& resource, const std::string& requestId) {
  json found;
  eventually(
      [&] {
        auto r = server.get("/api/v1/audit?resource=" + resource + "&per_page=500");
        if (r.status != 200) return false;
        const json page = r.json();
        for (const auto& e : page["data"])
          if (e.value("request_id", "") == requestId) {
            found = e;
            return true;
          }
        return false;
      },
      std::chrono::milliseconds(3000));
  return found;
}

}  // namespace

TEST_CASE("the audit trail records API calls with actor, body hash, status and request id",
          "[server][audit]") {
  ServerProcess server;

  // A write: recorded synchronously, before the response is sent.
  const std::string body = R"({"name":"audited-team","description":"made by the audit test"})";
  auto created = server.request("POST", "/api/v1/teams", body);
  REQUIRE(created.status == 201);
  const std::string teamId = created.json()["id"];
  const std::string postId = created.header("x-request-id");
  REQUIRE(!postId.empty());

  auto list = server.get("/api/v1/audit?resource=teams");
  REQUIRE(list.status == 200);
  json post;
  const json listed = list.json();
  for (const auto& e : listed["data"])
    if (e.value("request_id", "") == postId) post = e;
  INFO(list.body);
  REQUIRE(post.is_object());
  CHECK(post["method"] == "POST");
  CHECK(post["path"] == "/api/v1/teams");
  CHECK(post["actor"] == "key-1");
  CHECK(post["actor_type"] == "api_key");
  CHECK(post["resource_type"] == "teams");
  CHECK(post["status_code"] == 201);
  REQUIRE(post["body_hash"].is_string());
  CHECK(post["body_hash"].get<std::string>().size() == 16);
  CHECK(post["body_hash"] == sha256Hex(body).substr(0, 16));
  CHECK(post["latency_ms"].is_number());
  CHECK(post["latency_ms"].get<double>() >= 0);
  CHECK(post["latency_ms"].get<double>() < 10000);
  CHECK(post["id"].get<std::string>().rfind("ae-", 0) == 0);
  CHECK(!post.value("timestamp", "").empty());
  // Only the hash: the body itself is not copied into the trail.
  CHECK(list.body.find("made by the audit test") == std::string::npos);

  // A read, with the client's own request id: recorded asynchronously.
  auto read =
      server.request("GET", "/api/v1/teams/" + teamId, {}, {{"X-Request-ID", "audit-read-0001"}});
  REQUIRE(read.status == 200);
  auto readEvent = auditEvent(server, "teams", "audit-read-0001");
  REQUIRE(readEvent.is_object());
  CHECK(readEvent["method"] == "GET");
  CHECK(readEvent["path"] == "/api/v1/teams/" + teamId);
  CHECK(readEvent["resource_id"] == teamId);
  CHECK(readEvent["status_code"] == 200);
  CHECK(readEvent.value("body_hash", "") == "");

  // Refused calls are evidence too: an anonymous 401 is recorded.
  auto denied = server.request("DELETE", "/api/v1/teams/" + teamId, {},
                               {{"X-Request-ID", "audit-denied-0001"}}, "wrong-key-0123456789abc");
  REQUIRE(denied.status == 401);
  auto deniedEvent = auditEvent(server, "teams", "audit-denied-0001");
  REQUIRE(deniedEvent.is_object());
  CHECK(deniedEvent["status_code"] == 401);
  CHECK(deniedEvent["method"] == "DELETE");
  CHECK(deniedEvent["actor"] == "anonymous");
  CHECK(server.get("/api/v1/teams/" + teamId).status == 200);  // still there

  // Filters: by actor and by request id.
  auto byActor = server.get("/api/v1/audit?actor=anonymous&resource=teams");
  REQUIRE(byActor.status == 200);
  const json anonymous = byActor.json();
  for (const auto& e : anonymous["data"]) CHECK(e["actor"] == "anonymous");
  CHECK(byActor.json()["total"].get<int>() >= 1);
  auto byId = server.get("/api/v1/audit?request_id=" + postId);
  REQUIRE(byId.status == 200);
  REQUIRE(byId.json()["data"].size() == 1);
  CHECK(byId.json()["data"][0]["id"] == post["id"]);

  // The trail cannot be edited or deleted through the API.
  const std::string eventPath = "/api/v1/audit/" + post["id"].get<std::string>();
  CHECK(server.get(eventPath).status == 200);
  CHECK(server.request("DELETE", eventPath).status == 405);
  CHECK(server.request("PUT", eventPath, R"({"actor":"someone-else"})").status == 405);
  CHECK(server.request("POST", "/api/v1/audit", R"({"actor":"forged"})").status == 405);
  auto again = server.get(eventPath);
  CHECK(again.json()["actor"] == "key-1");
}
