// Retries on the real server with a real failure: a local CA whose state
// dir holds a certificate without its key cannot start (the plugin answers
// INTERNAL), so the issuance job goes back to Pending with attempts + 1 and
// a later scheduled_at; once an operator moves the stray file away, the
// retry loop picks the job up and it completes. A failure that outlives
// max_attempts ends Failed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "core/domain/timestamps.h"
#include "tests/integration/lifecycle/lifecycle_test_util.h"

using namespace certctl::testing;
using namespace certctl::testing::lifecycle;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

// A local CA issuer whose state dir is broken before its first start.
void brokenIssuer(ServerProcess& server, const std::string& id) {
  fs::path state = server.dataDir() / "issuers" / id;
  fs::create_directories(state);
  fs::permissions(state, fs::perms::owner_all, fs::perm_options::replace);
  std::ofstream(state / "ca.crt")
      << "-----BEGIN CERTIFICATE-----\nstray\n-----END CERTIFICATE-----\n";
  auto response = server.post("/api/v1/issuers", {{"id", id}, {"name", id}, {"type", "local-ca"}});
  INFO(response.body);
  REQUIRE(response.status == 201);
}

json waitForJobState(ServerProcess& server, const std::string& jobId,
                     const std::function<bool(const json&)>& done) {
  json last;
  if (!eventually([&] { return done(last = server.get("/api/v1/jobs/" + jobId).json()); },
                  std::chrono::seconds(30)))
    FAIL("job " << jobId << " stuck at " << last.dump() << "\nserver log:\n" << server.log());
  return last;
}

}  // namespace

TEST_CASE("a transient issuer failure is retried with backoff until it completes",
          "[scheduler][retry]") {
  ServerProcess server(keygen("server", {{"CERTCTL_JOB_RETRY_BACKOFF", "2s"},
                                         {"CERTCTL_SCHEDULER_RETRY_INTERVAL", "1s"},
                                         {"CERTCTL_JOB_MAX_ATTEMPTS", "5"}}));
  brokenIssuer(server, "iss-flaky");
  json cert = createCertificate(server, "flaky", "flaky.example.com", {{"issuer_id", "iss-flaky"}});
  std::string jobId = jobsOf(server, cert["id"]).front()["id"];

  // First attempt failed: Pending again, with the error and a later due time.
  json retrying = waitForJobState(server, jobId, [](const json& j) {
    return j["status"] == "Pending" && j["attempts"].get<int>() >= 1;
  });
  CHECK(retrying["max_attempts"] == 5);
  CHECK(retrying["last_error"].get<std::string>().find("exists without") != std::string::npos);
  auto due = certctl::domain::parseRfc3339(retrying["scheduled_at"].get<std::string>());
  REQUIRE(due);
  CHECK(*due > certctl::domain::nowSeconds() - std::chrono::seconds(1));
  // Backoff doubles: after the second failure the gap is longer.
  json again = waitForJobState(server, jobId, [](const json& j) {
    return j["status"] == "Pending" && j["attempts"].get<int>() >= 2;
  });
  CHECK(again["last_error"].get<std::string>().find("exists without") != std::string::npos);
  CHECK(server.get("/api/v1/certificates/" + cert["id"].get<std::string>()).json()["status"] ==
        "Pending");

  // The operator fixes the state dir: the next retry succeeds.
  fs::remove(server.dataDir() / "issuers" / "iss-flaky" / "ca.crt");
  json done = waitForJobState(server, jobId, [](const json& j) {
    return j["status"] == "Completed" || j["status"] == "Failed";
  });
  INFO(done.dump());
  CHECK(done["status"] == "Completed");
  CHECK(done["attempts"].get<int>() >= 3);
  CHECK(done["last_error"].is_null());
  CHECK(versionsOf(server, cert["id"]).size() == 1);
  waitForCertificate(server, cert["id"], "Active");
}

TEST_CASE("retries stop at max_attempts with the last error", "[scheduler][retry]") {
  ServerProcess server(keygen("server", {{"CERTCTL_JOB_RETRY_BACKOFF", "1s"},
                                         {"CERTCTL_SCHEDULER_RETRY_INTERVAL", "1s"},
                                         {"CERTCTL_JOB_MAX_ATTEMPTS", "2"}}));
  brokenIssuer(server, "iss-broken");
  json cert =
      createCertificate(server, "broken", "broken.example.com", {{"issuer_id", "iss-broken"}});
  std::string jobId = jobsOf(server, cert["id"]).front()["id"];
  json failed =
      waitForJobState(server, jobId, [](const json& j) { return j["status"] == "Failed"; });
  CHECK(failed["attempts"] == 2);
  CHECK(failed["last_error"].get<std::string>().find("exists without") != std::string::npos);
  waitForCertificate(server, cert["id"], "Failed");
  CHECK(versionsOf(server, cert["id"]).empty());
}
