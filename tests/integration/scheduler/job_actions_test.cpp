// POST /jobs/{id}/cancel, /approve and /reject on the real server: the
// seed-001 transitions, 409 for the ones the state does not allow, 400 for
// bad bodies, an audit row for each; and the renewal check creating
// AwaitingApproval (auto_renew false) or Pending (auto_renew true) renewals.
#include <catch2/catch.hpp>

#include "tests/integration/lifecycle/lifecycle_test_util.h"

using namespace certctl::testing;
using namespace certctl::testing::lifecycle;
using nlohmann::json;

namespace {

json auditEvents(ServerProcess& server, const std::string& action) {
  auto response = server.get("/api/v1/audit?per_page=100&action=" + action);
  INFO(response.body);
  REQUIRE(response.status == 200);
  return response.json()["data"];
}

std::string errorCode(const HttpResult& response) {
  return response.json()["error"].value("code", std::string());
}

// The certificate's newest job of `type` in `status`, waited for.
json waitForJobOf(ServerProcess& server, const std::string& certificateId, const std::string& type,
                  const std::string& status, const std::string& notId = {}) {
  json found;
  bool seen = eventually([&] {
    for (const auto& job : jobsOf(server, certificateId))
      if (job["type"] == type && job["status"] == status && job["id"] != notId) {
        found = job;
        return true;
      }
    return false;
  });
  if (!seen) FAIL("no " << type << " job in " << status << "\nserver log:\n" << server.log());
  return found;
}

json renewalPolicy(ServerProcess& server, bool autoRenew) {
  // A window longer than the local CA's lifetime: every certificate is due.
  auto response = server.post("/api/v1/renewal-policies", {{"name", autoRenew ? "auto" : "manual"},
                                                           {"renewal_window_days", 3650},
                                                           {"auto_renew", autoRenew}});
  INFO(response.body);
  REQUIRE(response.status == 201);
  return response.json();
}

}  // namespace

TEST_CASE("job actions: cancel, and what the state machine refuses", "[scheduler][jobs]") {
  ServerProcess server(keygen("agent"));
  json cert = createCertificate(server, "waiting", "waiting.example.com");
  json job = waitForJob(server, cert["id"], "AwaitingCSR");
  std::string path = "/api/v1/jobs/" + job["id"].get<std::string>();

  // Approve and reject need AwaitingApproval.
  auto approve = server.post(path + "/approve", json::object());
  CHECK(approve.status == 409);
  CHECK(errorCode(approve) == "conflict");
  CHECK(approve.json()["error"]["message"].get<std::string>().find("AwaitingCSR") !=
        std::string::npos);
  CHECK(server.post(path + "/reject", {{"reason", "no"}}).status == 409);

  // Bad bodies are 400 and change nothing.
  CHECK(server.post(path + "/cancel", {{"reason", 5}}).status == 400);
  CHECK(server.post(path + "/cancel", {{"why", "x"}}).status == 400);
  CHECK(server.request("POST", path + "/cancel", "{not json").status == 400);
  CHECK(server.get(path).json()["status"] == "AwaitingCSR");
  CHECK(server.post("/api/v1/jobs/j-nope/cancel", json::object()).status == 404);

  auto cancelled = server.post(path + "/cancel", {{"reason", "not needed"}});
  INFO(cancelled.body);
  REQUIRE(cancelled.status == 200);
  CHECK(cancelled.json()["status"] == "Cancelled");
  CHECK(cancelled.json()["last_error"].get<std::string>().find("not needed") != std::string::npos);
  CHECK(cancelled.json()["completed_at"].is_string());
  auto again = server.post(path + "/cancel", json::object());
  CHECK(again.status == 409);
  CHECK(errorCode(again) == "conflict");

  json events = auditEvents(server, "job.cancelled");
  REQUIRE(events.size() == 1);
  CHECK(events[0]["resource_id"] == job["id"]);
  CHECK(events[0]["details"]["reason"] == "not needed");
  CHECK(events[0]["details"]["from_status"] == "AwaitingCSR");
  CHECK(events[0]["actor"].get<std::string>() != "anonymous");

  // A new renewal may start once the job is cancelled.
  CHECK(
      server
          .post("/api/v1/certificates/" + cert["id"].get<std::string>() + "/renew", json::object())
          .status == 202);
}

TEST_CASE("renewal check: approval required, reject then approve", "[scheduler][jobs]") {
  ServerProcess server(keygen("server", {{"CERTCTL_SCHEDULER_RENEWAL_CHECK_INTERVAL", "1s"}}));
  json policy = renewalPolicy(server, false);
  json cert = createCertificate(server, "gated", "gated.example.com",
                                {{"renewal_policy_id", policy["id"]}});
  std::string id = cert["id"];
  waitForJobOf(server, id, "Issuance", "Completed");

  json first = waitForJobOf(server, id, "Renewal", "AwaitingApproval");
  CHECK(first["reason"].get<std::string>().find("renewal window reached") != std::string::npos);
  std::string firstPath = "/api/v1/jobs/" + first["id"].get<std::string>();
  // Nothing runs while it waits; the certificate keeps its version.
  CHECK(versionsOf(server, id).size() == 1);

  auto noReason = server.post(firstPath + "/reject", json::object());
  CHECK(noReason.status == 400);
  CHECK(errorField(noReason) == "reason");
  CHECK(server.post(firstPath + "/reject", {{"reason", "  "}}).status == 400);
  auto rejected = server.post(firstPath + "/reject", {{"reason", "change freeze"}});
  INFO(rejected.body);
  REQUIRE(rejected.status == 200);
  CHECK(rejected.json()["status"] == "Cancelled");
  CHECK(server.post(firstPath + "/approve", json::object()).status == 409);
  CHECK(server.get("/api/v1/certificates/" + id).json()["status"] != "RenewalInProgress");

  // The next check asks again; this time it is approved and runs.
  json second = waitForJobOf(server, id, "Renewal", "AwaitingApproval", first["id"]);
  auto approved = server.post("/api/v1/jobs/" + second["id"].get<std::string>() + "/approve",
                              {{"reason", "change 1234"}});
  INFO(approved.body);
  REQUIRE(approved.status == 200);
  waitForJob(server, id, "Completed", second["id"]);
  CHECK(versionsOf(server, id).size() == 2);

  json rejectedEvents = auditEvents(server, "job.rejected");
  REQUIRE(rejectedEvents.size() == 1);
  CHECK(rejectedEvents[0]["details"]["reason"] == "change freeze");
  json approvedEvents = auditEvents(server, "job.approved");
  REQUIRE(approvedEvents.size() == 1);
  CHECK(approvedEvents[0]["resource_id"] == second["id"]);
  CHECK(approvedEvents[0]["details"]["reason"] == "change 1234");
}

TEST_CASE("renewal check: auto_renew renews without anyone asking", "[scheduler][jobs]") {
  ServerProcess server(keygen("server", {{"CERTCTL_SCHEDULER_RENEWAL_CHECK_INTERVAL", "1s"}}));
  json policy = renewalPolicy(server, true);
  json cert =
      createCertificate(server, "auto", "auto.example.com", {{"renewal_policy_id", policy["id"]}});
  // Not in any window: a certificate without a policy, valid for longer than 30 days.
  json other = createCertificate(server, "calm", "calm.example.com");
  std::string id = cert["id"];
  json renewal = waitForJobOf(server, id, "Renewal", "Completed");
  CHECK(renewal["reason"].get<std::string>().find("window 3650 days") != std::string::npos);
  CHECK(versionsOf(server, id).size() >= 2);
  waitForJobOf(server, other["id"], "Issuance", "Completed");
  for (const auto& job : jobsOf(server, other["id"])) CHECK(job["type"] == "Issuance");
}
