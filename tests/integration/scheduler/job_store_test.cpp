// SqlJobStore on the run's dialect (SQLite, or PostgreSQL in the postgres
// run): claims, orphans, overdue jobs, renewal candidates, short-lived
// expiry, silent agents and the cluster-wide loop lock.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "core/domain/timestamps.h"
#include "core/store/sql_job_store.h"
#include "tests/support/test_database.h"

using namespace certctl;
using certctl::testing::TestDatabase;

namespace {

std::string at(std::chrono::seconds offset) {
  return domain::formatRfc3339(domain::nowSeconds() + offset);
}

struct Db {
  TestDatabase database{TestDatabase::dialectFromEnvironment()};
  store::SqlJobStore store{database.db()};

  void exec(const std::string& sql) {
    auto lease = database.db().acquire();
    database.db().executeScript(*lease, sql);
  }
  std::string value(const std::string& sql) {
    auto lease = database.db().acquire();
    auto rows = lease.run(sql);
    return rows.rows.empty() || !rows.rows[0][0] ? std::string() : *rows.rows[0][0];
  }

  Db() { exec("INSERT INTO issuers (id, name, type) VALUES ('iss-s', 'S', 'GenericCA')"); }

  void certificate(const std::string& id, const std::string& status, const std::string& expiresAt,
                   const std::string& extraColumns = "", const std::string& extraValues = "") {
    exec("INSERT INTO managed_certificates (id, name, common_name, issuer_id, status, expires_at" +
         extraColumns + ") VALUES ('" + id + "', '" + id + "', '" + id + ".test', 'iss-s', '" +
         status + "', '" + expiresAt + "'" + extraValues + ")");
  }
  void job(const std::string& id, const std::string& certificateId, const std::string& status,
           int attempts = 0, const std::string& scheduledAt = "", const std::string& extra = "") {
    std::string scheduled = scheduledAt.empty() ? "NULL" : "'" + scheduledAt + "'";
    exec("INSERT INTO jobs (id, type, certificate_id, status, attempts, scheduled_at" +
         std::string(extra.empty() ? "" : ", claimed_by") + ") VALUES ('" + id +
         "', 'Issuance', '" + certificateId + "', '" + status + "', " + std::to_string(attempts) +
         ", " + scheduled + (extra.empty() ? "" : ", '" + extra + "'") + ")");
  }
  std::string status(const std::string& table, const std::string& id) {
    return value("SELECT status FROM " + table + " WHERE id = '" + id + "'");
  }
};

}  // namespace

TEST_CASE("due jobs are claimed once, fresh and retries apart", "[scheduler][store]") {
  Db db;
  const std::size_t kJobs = 40;
  for (std::size_t i = 0; i < kJobs; ++i) {
    std::string n = std::to_string(i);
    db.certificate("mc-" + n, "Pending", at(std::chrono::hours(1)));
    db.job("j-" + n, "mc-" + n, "Pending");
  }
  db.certificate("mc-later", "Pending", at(std::chrono::hours(1)));
  db.job("j-later", "mc-later", "Pending", 1, at(std::chrono::hours(1)));
  db.certificate("mc-retry", "Pending", at(std::chrono::hours(1)));
  db.job("j-retry", "mc-retry", "Pending", 1, at(-std::chrono::seconds(5)));

  // Four claimants at once: every job claimed exactly once.
  std::mutex mutex;
  std::multiset<std::string> claimed;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      for (;;) {
        auto ids = db.store.claimDueJobs("worker-" + std::to_string(t), false, 3);
        if (ids.empty()) return;
        std::lock_guard lock(mutex);
        claimed.insert(ids.begin(), ids.end());
      }
    });
  for (auto& t : threads) t.join();
  CHECK(claimed.size() == kJobs);
  CHECK(std::set<std::string>(claimed.begin(), claimed.end()).size() == kJobs);
  CHECK_FALSE(claimed.count("j-retry"));
  CHECK(db.status("jobs", "j-0") == "Running");
  CHECK(db.value("SELECT attempts FROM jobs WHERE id = 'j-0'") == "1");
  CHECK(db.value("SELECT claimed_by FROM jobs WHERE id = 'j-0'").rfind("worker-", 0) == 0);

  // Retries: only the due one.
  CHECK(db.store.claimDueJobs("worker-0", true, 10) == std::vector<std::string>{"j-retry"});
  CHECK(db.value("SELECT attempts FROM jobs WHERE id = 'j-retry'") == "2");
  CHECK(db.status("jobs", "j-later") == "Pending");
  CHECK(db.store.dueJobs(true, 10).empty());
}

TEST_CASE("Running jobs of a gone claimant become Pending again", "[scheduler][store]") {
  Db db;
  db.certificate("mc-a", "Pending", at(std::chrono::hours(1)));
  db.certificate("mc-b", "Pending", at(std::chrono::hours(1)));
  db.job("j-dead", "mc-a", "Running", 1, "", "certctl-server/dead");
  db.job("j-mine", "mc-b", "Running", 1, "", "certctl-server/me");
  db.store.holdInstanceLock("certctl-server/me");
  CHECK(db.store.requeueOrphanedJobs("certctl-server/me") == 1);
  CHECK(db.status("jobs", "j-dead") == "Pending");
  CHECK(db.value("SELECT attempts FROM jobs WHERE id = 'j-dead'") == "0");
  CHECK(db.status("jobs", "j-mine") == "Running");

  if (db.database.db().dialect() == store::Dialect::Postgres) {
    // A live replica (holding its instance lock) keeps its jobs.
    store::SqlJobStore other(db.database.db());
    other.holdInstanceLock("certctl-server/other");
    db.exec(
        "UPDATE jobs SET status = 'Running', claimed_by = 'certctl-server/other' "
        "WHERE id = 'j-dead'");
    CHECK(db.store.requeueOrphanedJobs("certctl-server/me") == 0);
    CHECK(db.status("jobs", "j-dead") == "Running");
    CHECK_THROWS(store::SqlJobStore(db.database.db()).holdInstanceLock("certctl-server/other"));
  }
}

TEST_CASE("overdue jobs, renewal candidates, short-lived expiry, silent agents",
          "[scheduler][store]") {
  Db db;
  using std::chrono::hours;
  const std::string old = at(-hours(2));
  db.certificate("mc-old", "Pending", at(hours(1)));
  db.exec(
      "INSERT INTO jobs (id, type, certificate_id, status, updated_at) VALUES "
      "('j-stuck', 'Issuance', 'mc-old', 'AwaitingCSR', '" +
      old + "')");
  auto overdue = db.store.overdueJobs({"Running", "AwaitingCSR"}, at(-hours(1)));
  REQUIRE(overdue.size() == 1);
  CHECK(overdue[0].id == "j-stuck");
  CHECK(overdue[0].status == "AwaitingCSR");
  CHECK(overdue[0].certificateId == "mc-old");
  CHECK(db.store.overdueJobs({"Running"}, at(-hours(1))).empty());

  db.exec(
      "INSERT INTO renewal_policies (id, name, renewal_window_days, auto_renew) VALUES "
      "('rp-manual', 'manual', 60, FALSE)");
  db.certificate("mc-soon", "Active", at(hours(24 * 10)));
  db.certificate("mc-manual", "Active", at(hours(24 * 50)), ", renewal_policy_id", ", 'rp-manual'");
  db.certificate("mc-far", "Active", at(hours(24 * 200)));
  db.certificate("mc-revoked", "Revoked", at(hours(24)));
  db.certificate("mc-busy", "Active", at(hours(24)));
  db.job("j-busy", "mc-busy", "Pending");
  CHECK(db.store.widestRenewalWindowDays() == 60);
  auto candidates = db.store.renewalCandidates(at(hours(24 * 60)), domain::nowRfc3339(), 100);
  REQUIRE(candidates.size() == 2);
  CHECK(candidates[0].certificateId == "mc-soon");
  CHECK(candidates[0].windowDays == 30);
  CHECK(candidates[0].autoRenew);
  CHECK(candidates[0].ariRenewAt.empty());
  CHECK(candidates[1].certificateId == "mc-manual");
  CHECK(candidates[1].windowDays == 60);
  CHECK_FALSE(candidates[1].autoRenew);

  // ARI (RFC 9773): a renewal time the CA suggested makes a far-from-expiry
  // certificate a candidate once it has come, not before.
  const std::string ariDue = at(-hours(1));
  db.certificate("mc-ari-due", "Active", at(hours(24 * 200)), ", ari_renew_at",
                 ", '" + ariDue + "'");
  db.certificate("mc-ari-later", "Active", at(hours(24 * 200)), ", ari_renew_at",
                 ", '" + at(hours(24)) + "'");
  candidates = db.store.renewalCandidates(at(hours(24 * 60)), domain::nowRfc3339(), 100);
  REQUIRE(candidates.size() == 3);
  CHECK(candidates[2].certificateId == "mc-ari-due");
  CHECK(candidates[2].ariRenewAt == ariDue);

  db.exec(
      "INSERT INTO certificate_profiles (id, name, max_ttl_seconds) VALUES "
      "('prof-short', 'short', 600), ('prof-long', 'long', 86400)");
  db.certificate("mc-short-past", "Active", at(-std::chrono::seconds(30)),
                 ", certificate_profile_id", ", 'prof-short'");
  db.certificate("mc-short-valid", "Active", at(std::chrono::seconds(300)),
                 ", certificate_profile_id", ", 'prof-short'");
  db.certificate("mc-long-past", "Active", at(-std::chrono::seconds(30)),
                 ", certificate_profile_id", ", 'prof-long'");
  CHECK(db.store.expireShortLived(domain::nowRfc3339()) ==
        std::vector<std::string>{"mc-short-past"});
  CHECK(db.status("managed_certificates", "mc-short-past") == "Expired");
  CHECK(db.status("managed_certificates", "mc-short-valid") == "Active");
  CHECK(db.status("managed_certificates", "mc-long-past") == "Active");
  CHECK(db.store.expireShortLived(domain::nowRfc3339()).empty());

  db.exec(
      "INSERT INTO agents (id, name, status, last_heartbeat_at) VALUES "
      "('ag-silent', 'silent', 'Online', '" +
      old +
      "'), "
      "('ag-fresh', 'fresh', 'Online', '" +
      domain::nowRfc3339() + "')");
  db.exec(
      "INSERT INTO agents (id, name, status, last_heartbeat_at, retired_at) VALUES "
      "('ag-retired', 'retired', 'Online', '" +
      old + "', '" + old + "')");
  CHECK(db.store.markSilentAgentsOffline(at(-hours(1))) == std::vector<std::string>{"ag-silent"});
  CHECK(db.status("agents", "ag-silent") == "Offline");
  CHECK(db.status("agents", "ag-fresh") == "Online");
  CHECK(db.status("agents", "ag-retired") == "Online");
}

TEST_CASE("a singleton loop runs on one replica at a time", "[scheduler][store]") {
  Db db;
  store::SqlJobStore other(db.database.db());
  int runs = 0;
  bool innerRan = true;
  CHECK(db.store.runExclusive("renewal_check", [&] {
    ++runs;
    innerRan = other.runExclusive("renewal_check", [&] { ++runs; });
  }));
  if (db.database.db().dialect() == store::Dialect::Postgres) {
    CHECK_FALSE(innerRan);
    CHECK(runs == 1);
  } else {
    CHECK(innerRan);  // SQLite: one server per file, no lock
    CHECK(runs == 2);
  }
  // Released afterwards, also after a throwing run.
  CHECK_THROWS(db.store.runExclusive("renewal_check", [] { throw std::runtime_error("boom"); }));
  CHECK(other.runExclusive("renewal_check", [&] { ++runs; }));
}
