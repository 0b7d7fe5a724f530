// CrlService over the real SQLite store and a fake CA: CRL content (short-
// lived certificates left out), cRLNumber per issuer, crl_cache, on-demand
// generation, coalescing of concurrent regenerations, and the JSON views.
#include <catch2/catch.hpp>

#include <future>
#include <thread>

#include "core/domain/errors.h"
#include "core/services/crl_service.h"
#include "core/services/revocation_service.h"
#include "sdk/pki/crl.h"
#include "tests/unit/services/revocation_test_support.h"

using namespace certctl;
using namespace certctl::testing::revocation;
using nlohmann::json;

namespace {

struct Fixture {
  RevocationDb db;
  FakeCa ca;
  RecordingAuditLog audit;
  services::CrlService crls{db.store, ca};
  services::RevocationService revocations{db.store, ca, audit, nullptr};

  Fixture() {
    revocations.addListener([this](const std::string& issuer, const std::vector<std::string>&) {
      crls.regenerateAsync(issuer);
    });
  }
  void revoke(const std::string& id, const std::string& reason = "unspecified") {
    revocations.revoke(id, {{"reason", reason}}, {"key-ops", ""});
  }
  static std::vector<pki::CrlEntry> entries(const services::CrlSnapshot& s) {
    return pki::Crl::fromDer(*s.der).entries();
  }
};

std::set<std::string> serialsOf(const std::vector<pki::CrlEntry>& entries) {
  std::set<std::string> out;
  for (const auto& e : entries) out.insert(e.serialHex);
  return out;
}

}  // namespace

TEST_CASE("the CRL lists revoked serials with reasons, short-lived ones left out", "[crl]") {
  Fixture f;
  f.db.profile("prof-short", 1800);  // 30 min: short-lived
  f.db.profile("prof-hour", 3600);   // exactly 1 h: not short-lived
  f.db.certificate("mc-a");
  f.db.certificate("mc-short", {.profile = "prof-short"});
  f.db.certificate("mc-hour", {.profile = "prof-hour"});
  f.db.certificate("mc-kept");
  f.db.certificate("mc-other", {.issuer = "iss-b"});
  f.db.version("mc-a", "A1");
  f.db.version("mc-short", "B2");
  f.db.version("mc-hour", "C3");
  f.db.version("mc-kept", "D4");
  f.db.version("mc-other", "E5", 86400, 60, "iss-b");
  f.revoke("mc-a", "keyCompromise");
  f.revoke("mc-short");
  f.revoke("mc-hour", "superseded");
  f.revoke("mc-other");

  auto crl = f.crls.regenerate("iss-a");
  auto parsed = pki::Crl::fromDer(*crl->der);
  CHECK(parsed.isSignedBy(f.ca.cert));
  auto entries = parsed.entries();
  CHECK(serialsOf(entries) == std::set<std::string>{"A1", "C3"});
  for (const auto& e : entries)
    CHECK(e.reason == (e.serialHex == "A1" ? pki::RevocationReason::keyCompromise
                                           : pki::RevocationReason::superseded));
  CHECK(crl->revokedCount == 2);
  CHECK(crl->nextUpdate - crl->thisUpdate == std::chrono::hours(24));
  CHECK(parsed.nextUpdate().has_value());

  // iss-b's CRL holds only its own serial.
  CHECK(serialsOf(Fixture::entries(*f.crls.regenerate("iss-b"))) == std::set<std::string>{"E5"});
}

TEST_CASE("CRL numbers increase per issuer and are stored in crl_cache", "[crl]") {
  Fixture f;
  auto first = f.crls.regenerate("iss-a");
  auto second = f.crls.regenerate("iss-a");
  auto other = f.crls.regenerate("iss-b");
  CHECK(first->crlNumber == 1);
  CHECK(second->crlNumber == 2);
  CHECK(other->crlNumber == 1);
  CHECK(pki::Crl::fromDer(*second->der).numberHex() == "2");

  auto row = f.db.store.crl("iss-a");
  REQUIRE(row);
  CHECK(row->crlNumber == 2);
  CHECK(row->der == *second->der);
  CHECK(row->revokedCount == 0);

  auto cache = f.crls.cacheJson();
  REQUIRE(cache["total"] == 2);
  CHECK(cache["data"][0]["issuer_id"] == "iss-a");
  CHECK(cache["data"][0]["crl_number"] == 2);
  CHECK(cache["data"][0]["crl_size_bytes"] == row->der.size());
  CHECK_FALSE(cache["data"][0].contains("crl_der"));
}

TEST_CASE("current() makes a CRL on demand and reflects a revocation at once", "[crl]") {
  Fixture f;
  f.db.certificate("mc-x");
  f.db.version("mc-x", "F00");
  auto initial = f.crls.current("iss-a");
  CHECK(initial->crlNumber == 1);
  CHECK(f.crls.current("iss-a") == initial);  // served from memory, not re-signed
  CHECK(f.ca.crlCalls == 1);

  f.revoke("mc-x", "keyCompromise");
  // The background regeneration may or may not have run yet: current() waits.
  auto after = f.crls.current("iss-a");
  CHECK(after->crlNumber == 2);
  CHECK(serialsOf(Fixture::entries(*after)) == std::set<std::string>{"F00"});
}

TEST_CASE("a newer CRL stored by another replica is picked up", "[crl]") {
  Fixture f;
  auto mine = f.crls.current("iss-a");
  services::CrlCacheRow row = *f.db.store.crl("iss-a");
  row.crlNumber = 7;
  f.db.store.storeCrl(row);
  CHECK(f.crls.current("iss-a")->crlNumber == 7);
  // An older number never replaces a newer one.
  row.crlNumber = 3;
  f.db.store.storeCrl(row);
  CHECK(f.db.store.crlNumber("iss-a") == 7);
  CHECK(f.crls.regenerate("iss-a")->crlNumber == 8);
  (void)mine;
}

TEST_CASE("concurrent regenerations of one issuer are coalesced", "[crl]") {
  Fixture f;
  std::promise<void> entered, release;
  auto released = release.get_future().share();
  std::atomic<bool> first{true};
  f.ca.beforeCrl = [&] {
    if (first.exchange(false)) {
      entered.set_value();
      released.wait();
    }
  };
  auto leader = std::async(std::launch::async, [&] { return f.crls.regenerate("iss-a"); });
  entered.get_future().wait();

  // Eight more requests while the first one is signing.
  std::vector<std::future<std::shared_ptr<const services::CrlSnapshot>>> followers;
  for (int i = 0; i < 8; ++i)
    followers.push_back(std::async(std::launch::async, [&] { return f.crls.regenerate("iss-a"); }));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  release.set_value();

  CHECK(leader.get()->crlNumber == 1);
  for (auto& follower : followers) CHECK(follower.get()->crlNumber == 2);
  // One run for the leader, one for all eight followers together.
  CHECK(f.ca.crlCalls == 2);
  CHECK(f.crls.generations() == 2);
}

TEST_CASE("issuers without a CRL are 404, a failing one keeps its last CRL", "[crl]") {
  Fixture f;
  auto kind = [&](const std::string& issuer) {
    try {
      f.crls.current(issuer);
    } catch (const domain::ApiError& e) {
      return e.kind();
    }
    return domain::ErrorKind::Unavailable;
  };
  CHECK(kind("iss-nope") == domain::ErrorKind::NotFound);
  f.ca.withoutCrl.insert("iss-b");
  CHECK(kind("iss-b") == domain::ErrorKind::NotFound);

  auto good = f.crls.current("iss-a");
  f.ca.failCrl = true;
  f.crls.regenerateAsync("iss-a");
  CHECK(f.crls.current("iss-a") == good);  // still valid for 24 h
  CHECK_THROWS(f.crls.regenerate("iss-a"));
  f.ca.failCrl = false;
  CHECK(f.crls.regenerate("iss-a")->crlNumber == 2);
}

TEST_CASE("regenerateAll signs what is due and skips fresh CRLs", "[crl]") {
  Fixture f;
  f.ca.withoutCrl.insert("iss-b");
  auto summary = f.crls.regenerateAll();
  CHECK(summary.generated == 1);
  CHECK(f.db.store.crlNumber("iss-a") == 1);
  summary = f.crls.regenerateAll(std::chrono::seconds(3600));
  CHECK(summary.generated == 0);
  CHECK(summary.skipped == 1);
  f.ca.failCrl = true;
  CHECK_THROWS_WITH(f.crls.regenerateAll(), Catch::Contains("1 of 1 CRL generations failed"));
}

TEST_CASE("the JSON view lists each issuer's served CRL entries", "[crl]") {
  Fixture f;
  f.ca.withoutCrl.insert("iss-b");
  f.db.certificate("mc-j");
  f.db.version("mc-j", "123");
  f.revoke("mc-j", "affiliationChanged");
  auto all = f.crls.listJson("");
  REQUIRE(all["total"] == 1);
  auto item = all["data"][0];
  CHECK(item["issuer_id"] == "iss-a");
  CHECK(item["revoked_count"] == 1);
  REQUIRE(item["entries"].size() == 1);
  CHECK(item["entries"][0]["serial_number"] == "123");
  CHECK(item["entries"][0]["reason"] == "affiliationChanged");
  CHECK(item["entries"][0]["revoked_at"] == f.db.store.revocations("mc-j")[0].revokedAt);
  CHECK(f.crls.listJson("iss-a")["data"][0]["crl_number"] == item["crl_number"]);
  CHECK_THROWS_AS(f.crls.listJson("iss-b"), domain::ApiError);
}
