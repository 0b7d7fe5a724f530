// Two certctl-server processes on one PostgreSQL database (DESIGN §4
// scale-out): with every certificate due for renewal, both renewal checks
// and both job processors race; each certificate still gets exactly one
// renewal job and one new version, and no job runs twice. SQLite allows
// one server per file, so the SQLite run checks nothing here.
#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include "core/domain/timestamps.h"
#include "tests/integration/lifecycle/lifecycle_test_util.h"
#include "tests/integration/scheduler/scheduler_test_util.h"

using namespace certctl::testing;
using namespace certctl::testing::lifecycle;
using nlohmann::json;

TEST_CASE("two servers on one PostgreSQL renew each due certificate once",
          "[scheduler][multi-server]") {
  if (TestDatabase::dialectFromEnvironment() != "postgres") {
    WARN("PostgreSQL only: SQLite has one server per database file");
    return;
  }
  const int kCertificates = 30;
  const std::string key = "multi-server-test-key-0123456789";
  std::map<std::string, std::string> env = {{"CERTCTL_AUTH_SECRET", key}};

  // Issue everything on one server first.
  ServerProcess a(keygen("server", env));
  std::vector<std::string> ids;
  for (int i = 0; i < kCertificates; ++i)
    ids.push_back(createCertificate(a, "m" + std::to_string(i),
                                    "m" + std::to_string(i) + ".example.com")["id"]);
  REQUIRE(eventually(
      [&] {
        return a.get("/api/v1/jobs?per_page=1&status=Completed").json()["total"] == kCertificates;
      },
      std::chrono::seconds(60)));
  a.stop();

  // Every certificate now expires tomorrow: inside the default 30-day window,
  // while the renewed ones (90 days) are not.
  const std::string url = a.databaseUrl();
  scheduler::execute(url, "UPDATE managed_certificates SET expires_at = '" +
                              certctl::domain::formatRfc3339(certctl::domain::nowSeconds() +
                                                             std::chrono::hours(24)) +
                              "'");

  std::map<std::string, std::string> racing = env;
  racing["CERTCTL_SCHEDULER_RENEWAL_CHECK_INTERVAL"] = "200ms";
  racing["CERTCTL_SCHEDULER_JOB_PROCESSOR_INTERVAL"] = "200ms";
  racing["CERTCTL_DATABASE_URL"] = url;
  ServerProcessOptions first = keygen("server", racing);
  first.dataDir = a.dataDir();
  ServerProcessOptions second = keygen("server", racing);
  ServerProcess one(first);
  ServerProcess two(second);

  bool renewed = eventually(
      [&] { return scheduler::countJobs(url).byStatus["Completed"] == 2 * kCertificates; },
      std::chrono::seconds(120));
  if (!renewed) FAIL("renewals did not complete\n" << one.log() << "\n" << two.log());
  std::this_thread::sleep_for(std::chrono::seconds(2));  // a few more racing checks

  auto counts = scheduler::countJobs(url);
  CHECK(counts.byStatus["Completed"] == 2 * kCertificates);
  CHECK(counts.byStatus["Running"] == 0);
  CHECK(counts.byStatus["Pending"] == 0);
  CHECK(counts.byStatus["Failed"] == 0);
  CHECK(counts.maxAttempts == 1);  // no job ran twice
  for (const auto& id : ids) {
    INFO(id);
    CHECK(counts.versions[id] == 2);
    CHECK(counts.completedJobs[id] == 2);
  }
  CHECK(counts.jobVersionIds.size() == counts.versionIds.size());
  CHECK(std::set<std::string>(counts.jobVersionIds.begin(), counts.jobVersionIds.end()) ==
        counts.versionIds);
}
