// SqlRevocationStore on the run's dialect (SQLite, or PostgreSQL in the
// postgres run): the SQL the unit tests only see on SQLite, here on both.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "core/domain/timestamps.h"
#include "core/store/sql_revocation_store.h"
#include "tests/support/test_database.h"

using namespace certctl;
using certctl::testing::TestDatabase;

namespace {

struct Db {
  TestDatabase database{TestDatabase::dialectFromEnvironment()};
  store::SqlRevocationStore store{database.db()};

  void exec(const std::string& sql) {
    auto lease = database.db().acquire();
    database.db().executeScript(*lease, sql);
  }

  Db() {
    const std::string later =
        domain::formatRfc3339(domain::nowSeconds() + std::chrono::hours(24 * 30));
    const std::string earlier = domain::formatRfc3339(domain::nowSeconds() - std::chrono::hours(1));
    exec("INSERT INTO issuers (id, name, type) VALUES ('iss-s', 'S', 'GenericCA')");
    exec(
        "INSERT INTO certificate_profiles (id, name, max_ttl_seconds) VALUES ('prof-s', 's', "
        "600)");
    exec(
        "INSERT INTO managed_certificates (id, name, common_name, issuer_id, status) VALUES "
        "('mc-1', 'one', 'one.test', 'iss-s', 'Active'), "
        "('mc-2', 'two', 'two.test', 'iss-s', 'Active')");
    exec(
        "INSERT INTO managed_certificates (id, name, common_name, issuer_id, status, "
        "certificate_profile_id) VALUES ('mc-3', 'three', 'three.test', 'iss-s', 'Active', "
        "'prof-s')");
    for (const auto& [id, cert, serial] :
         {std::tuple{"cv-1", "mc-1", "A1"}, {"cv-2", "mc-2", "B2"}, {"cv-3", "mc-3", "C3"}}) {
      exec(std::string("INSERT INTO certificate_versions (id, certificate_id, issuer_id, "
                       "serial_number, not_before, not_after, fingerprint_sha256, pem_chain) "
                       "VALUES ('") +
           id + "', '" + cert + "', 'iss-s', '" + serial + "', '" + earlier + "', '" + later +
           "', '" + id + "', 'x')");
    }
  }
};

}  // namespace

TEST_CASE("revocation rows, statuses and CRL entries", "[revocation][store]") {
  Db db;
  auto cert = db.store.certificate("mc-1");
  REQUIRE(cert);
  CHECK(cert->revokedAt.empty());
  const std::string now = domain::nowRfc3339();
  auto serials = db.store.revocableSerials("mc-1", now);
  REQUIRE(serials.size() == 1);
  CHECK(serials[0].serialNumber == "A1");
  CHECK(serials[0].issuerId == "iss-s");

  CHECK(db.store.recordRevocation(*cert, serials, "keyCompromise", "tester", now));
  CHECK_FALSE(db.store.recordRevocation(*cert, serials, "superseded", "tester", now));
  auto records = db.store.revocations("mc-1");
  REQUIRE(records.size() == 1);
  CHECK(records[0].reason == "keyCompromise");
  CHECK(records[0].revokedAt == now);
  CHECK_FALSE(records[0].issuerNotified);
  db.store.markIssuerNotified(records[0].id);
  CHECK(db.store.revocations("mc-1")[0].issuerNotified);
  CHECK(db.store.certificate("mc-1")->status == "Revoked");

  auto short3 = db.store.certificate("mc-3");
  REQUIRE(db.store.recordRevocation(*short3, db.store.revocableSerials("mc-3", now), "unspecified",
                                    "tester", now));

  using State = services::SerialStatus::State;
  CHECK(db.store.serialStatus("iss-s", "A1").state == State::Revoked);
  CHECK(db.store.serialStatus("iss-s", "A1").reason == "keyCompromise");
  CHECK(db.store.serialStatus("iss-s", "A1").revokedAt == now);
  CHECK(db.store.serialStatus("iss-s", "B2").state == State::Good);
  CHECK(db.store.serialStatus("iss-s", "C3").state == State::ShortLived);
  CHECK(db.store.serialStatus("iss-s", "FF").state == State::NotIssued);
  CHECK(db.store.serialStatus("iss-other", "A1").state == State::NotIssued);

  auto entries = db.store.crlEntries("iss-s");
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].serialNumber == "A1");
  CHECK(entries[0].revokedAt == now);

  services::BulkRevokeCriteria criteria;
  criteria.issuerId = "iss-s";
  CHECK(db.store.matchCertificates(criteria) == std::vector<std::string>{"mc-1", "mc-2", "mc-3"});
  criteria.certificateIds = {"mc-2", "mc-9"};
  CHECK(db.store.matchCertificates(criteria) == std::vector<std::string>{"mc-2"});
  criteria.agentIds = std::vector<std::string>{};
  CHECK(db.store.matchCertificates(criteria).empty());
  CHECK(db.store.enabledIssuerIds() == std::vector<std::string>{"iss-s"});
}

TEST_CASE("crl_cache keeps the DER bytes and the highest number", "[revocation][store]") {
  Db db;
  services::CrlCacheRow row;
  row.issuerId = "iss-s";
  row.der = std::string("\x30\x82\x00\x00\x00\xff binary", 12);
  row.crlNumber = 5;
  row.thisUpdate = row.generatedAt = domain::nowRfc3339();
  row.nextUpdate = domain::formatRfc3339(domain::nowSeconds() + std::chrono::hours(24));
  row.revokedCount = 3;
  row.generationDurationMs = 17;
  db.store.storeCrl(row);
  auto read = db.store.crl("iss-s");
  REQUIRE(read);
  CHECK(read->der == row.der);
  CHECK(read->crlNumber == 5);
  CHECK(read->nextUpdate == row.nextUpdate);
  CHECK(read->revokedCount == 3);

  services::CrlCacheRow older = row;
  older.crlNumber = 4;
  older.der = "older";
  db.store.storeCrl(older);
  CHECK(db.store.crl("iss-s")->der == row.der);
  CHECK(db.store.crlNumber("iss-s") == 5);
  auto listed = db.store.crlCache();
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].sizeBytes == 12);
  CHECK(listed[0].der.empty());
  CHECK_FALSE(db.store.crlNumber("iss-none"));
}

TEST_CASE("the CRL lock lets one holder in at a time", "[revocation][store]") {
  Db db;
  std::atomic<int> inside{0}, maxInside{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      db.store.withCrlLock("iss-s", [&] {
        const int n = ++inside;
        maxInside = std::max(maxInside.load(), n);
        std::this_thread::sleep_for(std::chrono::milliseconds(30));
        --inside;
      });
    });
  }
  for (auto& t : threads) t.join();
  if (db.database.db().dialect() == store::Dialect::Postgres) {
    CHECK(maxInside == 1);  // an advisory lock across connections (and replicas)
  } else {
    CHECK(maxInside >= 1);  // SQLite: one process, coalesced by the CRL service instead
  }
  // A failing holder releases the lock.
  CHECK_THROWS(db.store.withCrlLock("iss-s", [] { throw std::runtime_error("boom"); }));
  bool ran = false;
  db.store.withCrlLock("iss-s", [&] { ran = true; });
  CHECK(ran);
}
