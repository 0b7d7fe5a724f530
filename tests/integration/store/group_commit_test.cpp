// The group committer on SQLite and PostgreSQL: units of many threads share
// transactions, a failing unit rolls back alone, nothing is lost or written
// twice; and issuance completions racing for one job store one version.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <set>
#include <thread>

#include "core/domain/errors.h"
#include "core/domain/history_resources.h"
#include "core/domain/resources.h"
#include "core/domain/timestamps.h"
#include "core/services/resource_service.h"
#include "core/store/group_commit.h"
#include "core/store/sql_lifecycle_store.h"
#include "core/store/sql_resource_repository.h"
#include "tests/support/test_database.h"

using namespace certctl;
using nlohmann::json;

namespace {

long long count(store::Database& db, const std::string& sql) {
  auto lease = db.acquire();
  auto rows = lease.run(sql);
  return std::stoll(rows.rows.at(0).at(0).value());
}

}  // namespace

TEST_CASE("group commit: concurrent units commit exactly once, a failing one alone",
          "[store][group_commit]") {
  testing::TestDatabase database(testing::TestDatabase::dialectFromEnvironment());
  auto& db = database.db();
  constexpr int kThreads = 12;
  constexpr int kUnits = 60;
  {
    auto lease = db.acquire();
    lease.run("CREATE TABLE gc_units (id TEXT PRIMARY KEY, thread_no INTEGER NOT NULL)");
    // Every 5th unit of every thread writes its row, then one of these: it
    // must fail and leave its own row out too.
    for (int u = 0; u < kUnits; u += 5)
      lease.run("INSERT INTO gc_units (id, thread_no) VALUES ($1, -1)",
                {"taken-" + std::to_string(u)});
  }
  int writers = db.dialect() == store::Dialect::Sqlite ? 1 : 3;
  store::GroupCommit writer(db, writers);

  std::atomic<int> ok{0}, refused{0}, unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int u = 0; u < kUnits; ++u) {
        bool collides = u % 5 == 0;
        std::string id = "u-" + std::to_string(t) + "-" + std::to_string(u);
        try {
          writer.run([&](store::Database::Lease& lease) {
            lease.run("INSERT INTO gc_units (id, thread_no) VALUES ($1, $2)",
                      {id, std::to_string(t)});
            if (collides)
              lease.run("INSERT INTO gc_units (id, thread_no) VALUES ($1, $2)",
                        {"taken-" + std::to_string(u), std::to_string(t)});
          });
          ++ok;
        } catch (const store::SqlError&) {
          ++refused;
        } catch (...) {
          ++unexpected;
        }
        if (u % 10 == 0) {
          services::AuditEvent event;
          event.action = "test.group_commit";
          event.resourceId = id;
          event.details = {{"thread", t}};
          writer.audit({event}, true);
        }
      }
    });
  for (auto& th : threads) th.join();

  const int colliding = kThreads * (kUnits / 5);
  CHECK(unexpected == 0);
  CHECK(refused == colliding);
  CHECK(ok == kThreads * kUnits - colliding);
  // Exactly the committed units' rows, each once; none of a refused unit's.
  CHECK(count(db, "SELECT COUNT(*) FROM gc_units WHERE thread_no >= 0") == ok);
  CHECK(count(db, "SELECT COUNT(*) FROM gc_units WHERE thread_no < 0") == kUnits / 5);
  CHECK(count(db, "SELECT COUNT(*) FROM gc_units WHERE id LIKE 'u-%-0' OR id LIKE 'u-%-5'") == 0);
  CHECK(count(db, "SELECT COUNT(*) FROM audit_events WHERE action = 'test.group_commit'") ==
        kThreads * (kUnits / 10));
}

TEST_CASE("group commit: a refused unit in a batch does not take the others with it",
          "[store][group_commit]") {
  testing::TestDatabase database(testing::TestDatabase::dialectFromEnvironment());
  auto& db = database.db();
  {
    auto lease = db.acquire();
    lease.run("CREATE TABLE gc_rows (id TEXT PRIMARY KEY)");
    lease.run("INSERT INTO gc_rows (id) VALUES ('taken')");
  }
  store::GroupCommit writer(db, 1);
  constexpr int kThreads = 16;
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 20; ++round) {
        std::string id =
            t % 4 == 0 ? "taken" : "r-" + std::to_string(t) + "-" + std::to_string(round);
        try {
          writer.run([&](store::Database::Lease& lease) {
            lease.run("INSERT INTO gc_rows (id) VALUES ($1)", {id});
          });
          ++ok;
        } catch (const store::SqlError&) {
          ++refused;
        }
      }
    });
  for (auto& th : threads) th.join();
  CHECK(refused == 4 * 20);
  CHECK(ok == 12 * 20);
  CHECK(count(db, "SELECT COUNT(*) FROM gc_rows") == 1 + 12 * 20);
}

TEST_CASE("completions racing for one job store exactly one version", "[store][group_commit]") {
  testing::TestDatabase database(testing::TestDatabase::dialectFromEnvironment());
  auto& db = database.db();
  store::SqlResourceRepository repository(db);
  services::ResourceService resources(repository);
  store::GroupCommit writer(db, db.dialect() == store::Dialect::Sqlite ? 1 : 3);
  store::SqlLifecycleStore store(db, &writer);

  json issuer = resources.create(*domain::findResource("issuers"),
                                 json::parse(R"({"name":"Local","type":"GenericCA"})"));
  constexpr int kCertificates = 10;
  constexpr int kRacers = 6;
  std::vector<std::string> certificates, jobs;
  for (int i = 0; i < kCertificates; ++i) {
    json cert = resources.create(*domain::findResource("certificates"),
                                 {{"name", "race-" + std::to_string(i)},
                                  {"common_name", "race" + std::to_string(i) + ".example.com"},
                                  {"issuer_id", issuer["id"]}});
    std::string now = domain::nowRfc3339();
    json job = {{"id", "j-race" + std::to_string(i)},
                {"type", "Issuance"},
                {"certificate_id", cert["id"]},
                {"status", "AwaitingCSR"},
                {"attempts", 0},
                {"max_attempts", 3},
                {"created_at", now},
                {"updated_at", now}};
    store.createJob(job, "Pending");
    certificates.push_back(cert["id"]);
    jobs.push_back(job["id"]);
  }

  std::atomic<int> completed{0}, conflicts{0}, other{0};
  std::vector<std::thread> threads;
  for (int r = 0; r < kRacers; ++r)
    threads.emplace_back([&, r] {
      for (int i = 0; i < kCertificates; ++i) {
        std::string now = domain::nowRfc3339();
        json version = {{"id", "cv-race-" + std::to_string(i) + "-" + std::to_string(r)},
                        {"certificate_id", certificates[i]},
                        {"issuer_id", issuer["id"]},
                        {"serial_number", std::to_string(1000 + i * 10 + r)},
                        {"not_before", now},
                        {"not_after", now},
                        {"fingerprint_sha256", "fp-" + std::to_string(i) + "-" + std::to_string(r)},
                        {"pem_chain", "pem"},
                        {"created_at", now}};
        services::AuditEvent issued;
        issued.action = "certificate.issued";
        issued.resourceType = "certificates";
        issued.resourceId = certificates[i];
        try {
          store.completeIssuance(version, jobs[i], {{"completed_at", now}},
                                 {{"status", "Active"}, {"updated_at", now}}, {issued});
          ++completed;
        } catch (const domain::ApiError& e) {
          if (e.kind() == domain::ErrorKind::Conflict)
            ++conflicts;
          else
            ++other;
        } catch (...) {
          ++other;
        }
      }
    });
  for (auto& th : threads) th.join();

  CHECK(other == 0);
  CHECK(completed == kCertificates);
  CHECK(conflicts == kCertificates * (kRacers - 1));
  CHECK(count(db, "SELECT COUNT(*) FROM certificate_versions") == kCertificates);
  // The audit record rides with the completion: only the winners' exist.
  CHECK(count(db, "SELECT COUNT(*) FROM audit_events WHERE action = 'certificate.issued'") ==
        kCertificates);
  for (int i = 0; i < kCertificates; ++i) {
    auto job = store.job(jobs[i]);
    REQUIRE(job);
    CHECK((*job)["status"] == "Completed");
  }
}

TEST_CASE("group commit: the SQLite WAL starts over under sustained writes and reads",
          "[store][group_commit]") {
  if (testing::TestDatabase::dialectFromEnvironment() != "sqlite") return;  // SQLite's own file
  testing::TestDatabase database("sqlite");
  auto& db = database.db();
  const std::string path = database.url().substr(std::string("sqlite://").size());
  store::GroupCommit writer(db, 1);

  // Readers keep snapshots open all the time, as a busy server's do: SQLite
  // then never restarts the log by itself and the file only grows.
  std::atomic<bool> stop{false};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r)
    readers.emplace_back([&] {
      while (!stop) count(db, "SELECT COUNT(*) FROM audit_events");
    });
  // ~128 MB of rows through the committer.
  constexpr int kThreads = 8;
  constexpr int kEventsEach = 1000;
  const std::string bulk(16000, 'x');
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t)
    writers.emplace_back([&] {
      for (int i = 0; i < kEventsEach; ++i) {
        services::AuditEvent event;
        event.action = "test.bulk";
        event.details = {{"bulk", bulk}};
        writer.audit({event}, true);
      }
    });
  for (auto& w : writers) w.join();
  stop = true;
  for (auto& r : readers) r.join();

  CHECK(count(db, "SELECT COUNT(*) FROM audit_events WHERE action = 'test.bulk'") ==
        kThreads * kEventsEach);
  auto wal = std::filesystem::file_size(path + "-wal");
  INFO("WAL bytes: " << wal);
  CHECK(wal < 48u * 1024 * 1024);  // 32 MiB and what came during the last checkpoint
}
