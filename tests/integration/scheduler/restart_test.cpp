// Restart safety (DESIGN §7): a server SIGKILLed while it works through many
// issuance jobs is restarted on the same database; every job ends
// Completed, no job is left Running, and every certificate has exactly one
// version, the one its job recorded.
#include <catch2/catch.hpp>

#include <set>

#include "tests/integration/lifecycle/lifecycle_test_util.h"
#include "tests/integration/scheduler/scheduler_test_util.h"

using namespace certctl::testing;
using namespace certctl::testing::lifecycle;
using nlohmann::json;

namespace {

const std::string kKey = "restart-test-key-0123456789";

int jobsIn(ServerProcess& server, const std::string& status) {
  auto response = server.get("/api/v1/jobs?per_page=1&status=" + status);
  REQUIRE(response.status == 200);
  return response.json()["total"].get<int>();
}

}  // namespace

TEST_CASE("a server killed mid-way resumes without losing or duplicating certificates",
          "[scheduler][restart]") {
  const int kCertificates = 40;
  std::map<std::string, std::string> env = {{"CERTCTL_AUTH_SECRET", kKey},
                                            {"CERTCTL_SCHEDULER_JOB_PROCESSOR_INTERVAL", "1s"}};
  // An RSA profile makes every issuance take a while, so the kill lands mid-way.
  ServerProcess first(keygen("server", env));
  auto profile = first.post(
      "/api/v1/profiles",
      {{"name", "rsa"},
       {"allowed_key_algorithms", json::array({{{"algorithm", "RSA"}, {"min_size", 3072}}})}});
  INFO(profile.body);
  REQUIRE(profile.status == 201);
  std::vector<std::string> ids;
  for (int i = 0; i < kCertificates; ++i)
    ids.push_back(createCertificate(first, "r" + std::to_string(i),
                                    "r" + std::to_string(i) + ".example.com",
                                    {{"certificate_profile_id", profile.json()["id"]}})["id"]);
  REQUIRE(eventually([&] { return jobsIn(first, "Completed") >= 3; }, std::chrono::seconds(60)));
  first.crash();
  auto atCrash = scheduler::countJobs(first.databaseUrl());
  INFO("at the crash: " << atCrash.byStatus["Completed"] << " completed, "
                        << atCrash.byStatus["Running"] << " running, "
                        << atCrash.byStatus["Pending"] << " pending");
  CHECK(atCrash.byStatus["Completed"] < kCertificates);  // the kill was mid-way

  ServerProcessOptions again = keygen("server", env);
  again.dataDir = first.dataDir();
  again.env["CERTCTL_DATABASE_URL"] = first.databaseUrl();
  ServerProcess second(again);
  bool finished = eventually([&] { return jobsIn(second, "Completed") == kCertificates; },
                             std::chrono::seconds(120));
  if (!finished) FAIL("jobs did not all complete\nserver log:\n" << second.log());

  auto counts = scheduler::countJobs(first.databaseUrl());
  CHECK(counts.byStatus["Running"] == 0);
  CHECK(counts.byStatus["Pending"] == 0);
  CHECK(counts.byStatus["Failed"] == 0);
  CHECK(counts.versions.size() == static_cast<std::size_t>(kCertificates));
  for (const auto& id : ids) {
    INFO(id);
    CHECK(counts.versions[id] == 1);
    CHECK(counts.completedJobs[id] == 1);
  }
  // Each version is the one its job recorded, and no job recorded two.
  CHECK(std::set<std::string>(counts.jobVersionIds.begin(), counts.jobVersionIds.end()) ==
        counts.versionIds);
  CHECK(counts.jobVersionIds.size() == counts.versionIds.size());
  // Jobs the first server was running were given back to the second.
  if (atCrash.byStatus["Running"] > 0)
    CHECK(second.log().find("jobs of a stopped server are pending again") != std::string::npos);
}
