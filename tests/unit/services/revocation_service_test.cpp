// RevocationService over the real SQLite store and a fake CA: what a revoke
// writes, idempotency, bad input, best-effort CA notification, listeners
// and bulk revocation.
#include <catch2/catch.hpp>

#include <thread>

#include "core/domain/errors.h"
#include "core/domain/resources.h"
#include "core/services/agent_group_service.h"
#include "core/services/resource_service.h"
#include "core/services/revocation_service.h"
#include "core/store/sql_agent_group_membership.h"
#include "core/store/sql_resource_repository.h"
#include "tests/unit/services/revocation_test_support.h"

using namespace certctl;
using namespace certctl::testing::revocation;
using nlohmann::json;

namespace {

struct Fixture {
  RevocationDb db;
  FakeCa ca;
  RecordingAuditLog audit;
  store::SqlResourceRepository repository{db.database.db()};
  services::ResourceService resources{repository};
  store::SqlAgentGroupMembership memberships{db.database.db()};
  services::AgentGroupService groups{resources, memberships};
  services::RevocationService service{db.store, ca, audit, &groups};
  std::vector<std::pair<std::string, std::vector<std::string>>> notified;
  services::RevocationActor actor{"key-ops", "req-1"};

  Fixture() {
    service.addListener([this](const std::string& issuer, const std::vector<std::string>& serials) {
      notified.emplace_back(issuer, serials);
    });
  }

  json revoke(const std::string& id, json body = json::object()) {
    return service.revoke(id, body, actor);
  }
  json certificateRow(const std::string& id) {
    return resources.get(*domain::findResource("certificates"), id);
  }
};

domain::ErrorKind errorKindOf(const std::function<void()>& fn, std::string* field = nullptr) {
  try {
    fn();
  } catch (const domain::ApiError& e) {
    if (field) *field = e.field();
    return e.kind();
  }
  FAIL("no ApiError thrown");
  return domain::ErrorKind::Unavailable;
}

}  // namespace

TEST_CASE("revoking records every unexpired version and the current one", "[revocation]") {
  Fixture f;
  f.db.certificate("mc-web");
  f.db.version("mc-web", "A1", -3600, 7200);  // expired, older: not covered
  f.db.version("mc-web", "B2", 86400, 3600);  // older but still valid
  f.db.version("mc-web", "C3", 86400, 60);    // current

  auto result = f.revoke("mc-web", {{"reason", "keyCompromise"}});
  CHECK(result["certificate_id"] == "mc-web");
  CHECK(result["status"] == "Revoked");
  CHECK(result["revocation_reason"] == "keyCompromise");
  CHECK(result["already_revoked"] == false);
  CHECK_FALSE(result["revoked_at"].get<std::string>().empty());
  std::set<std::string> serials;
  for (const auto& r : result["revocations"]) {
    serials.insert(r["serial_number"].get<std::string>());
    CHECK(r["issuer_id"] == "iss-a");
    CHECK(r["reason"] == "keyCompromise");
    CHECK(r["revoked_by"] == "key-ops");
    CHECK(r["issuer_notified"] == true);
  }
  CHECK(serials == std::set<std::string>{"B2", "C3"});

  // The inventory row changed with it.
  auto row = f.certificateRow("mc-web");
  CHECK(row["status"] == "Revoked");
  CHECK(row["revocation_reason"] == "keyCompromise");
  CHECK(row["revoked_at"] == result["revoked_at"]);

  // The CA was told about each serial, one typed audit event, one listener call.
  CHECK(f.ca.revokeCalls == 2);
  auto events = f.audit.withAction("certificate.revoked");
  REQUIRE(events.size() == 1);
  CHECK(events[0].resourceId == "mc-web");
  CHECK(events[0].actor == "key-ops");
  CHECK(events[0].requestId == "req-1");
  CHECK(events[0].details["reason"] == "keyCompromise");
  CHECK(events[0].details["serials"].size() == 2);
  REQUIRE(f.notified.size() == 1);
  CHECK(f.notified[0].first == "iss-a");
  CHECK(std::set<std::string>(f.notified[0].second.begin(), f.notified[0].second.end()) == serials);
}

TEST_CASE("the current version is revoked even when it has expired", "[revocation]") {
  Fixture f;
  f.db.certificate("mc-old");
  f.db.version("mc-old", "A", -60, 100);
  auto result = f.revoke("mc-old");
  REQUIRE(result["revocations"].size() == 1);
  CHECK(result["revocations"][0]["serial_number"] == "A");
  CHECK(result["revocation_reason"] == "unspecified");
}

TEST_CASE("revoking twice returns the existing record and changes nothing", "[revocation]") {
  Fixture f;
  f.db.certificate("mc-twice");
  f.db.version("mc-twice", "ABCD");
  auto first = f.revoke("mc-twice", {{"reason", "superseded"}});
  auto second = f.revoke("mc-twice", {{"reason", "keyCompromise"}});
  CHECK(second["already_revoked"] == true);
  CHECK(second["revocation_reason"] == "superseded");
  CHECK(second["revoked_at"] == first["revoked_at"]);
  CHECK(second["revocations"] == first["revocations"]);
  CHECK(f.audit.withAction("certificate.revoked").size() == 1);
  CHECK(f.notified.size() == 1);
  CHECK(f.ca.revokeCalls == 1);
}

TEST_CASE("concurrent revocations of one certificate record it once", "[revocation]") {
  Fixture f;
  f.db.certificate("mc-race");
  f.db.version("mc-race", "77");
  std::atomic<int> fresh{0}, repeated{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 6; ++i) {
    threads.emplace_back([&] {
      auto r = f.service.revoke("mc-race", json::object(), f.actor);
      (r["already_revoked"] == true ? repeated : fresh)++;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(fresh == 1);
  CHECK(repeated == 5);
  CHECK(f.db.store.revocations("mc-race").size() == 1);
}

TEST_CASE("bad revocation input is refused before anything is written", "[revocation]") {
  Fixture f;
  f.db.certificate("mc-bad");
  f.db.version("mc-bad", "1");
  std::string field;
  for (const json& reason : {json("keyCompromised"), json("removeFromCRL"), json(7), json("")}) {
    INFO(reason.dump());
    CHECK(errorKindOf(
              [&] {
                f.revoke("mc-bad", {{"reason", reason}});
              },
              &field) == domain::ErrorKind::BadRequest);
    CHECK(field == "reason");
  }
  CHECK(errorKindOf(
            [&] {
              f.revoke("mc-bad", {{"reson", "superseded"}});
            },
            &field) == domain::ErrorKind::BadRequest);
  CHECK(field == "reson");
  CHECK(f.certificateRow("mc-bad")["status"] == "Active");
  CHECK(f.db.store.revocations("mc-bad").empty());

  CHECK(errorKindOf([&] { f.revoke("mc-missing"); }) == domain::ErrorKind::NotFound);
  f.db.certificate("mc-pending", {.status = "Pending"});
  CHECK(errorKindOf([&] { f.revoke("mc-pending"); }) == domain::ErrorKind::Conflict);
  CHECK(f.certificateRow("mc-pending")["status"] == "Pending");
  CHECK(f.audit.events.empty());
}

TEST_CASE("reason spellings map to the RFC 5280 names", "[revocation]") {
  using S = services::RevocationService;
  CHECK(S::canonicalReason(json()) == "unspecified");
  CHECK(S::canonicalReason("key_compromise") == "keyCompromise");
  CHECK(S::canonicalReason("CESSATION_OF_OPERATION") == "cessationOfOperation");
  CHECK(S::canonicalReason("cACompromise") == "caCompromise");
  CHECK(S::canonicalReason("privilegeWithdrawn") == "privilegeWithdrawn");
}

TEST_CASE("an unreachable CA does not block revocation; a repeat retries it", "[revocation]") {
  Fixture f;
  f.db.certificate("mc-offline");
  f.db.version("mc-offline", "5E");
  f.ca.failRevoke = true;
  auto result = f.revoke("mc-offline", {{"reason", "keyCompromise"}});
  CHECK(result["status"] == "Revoked");
  CHECK(result["revocations"][0]["issuer_notified"] == false);
  CHECK(f.audit.withAction("certificate.revoked")[0].details["issuer_notified"] == false);
  CHECK(f.notified.size() == 1);  // CRL/OCSP still learn about it

  f.ca.failRevoke = false;
  auto again = f.revoke("mc-offline");
  CHECK(again["already_revoked"] == true);
  CHECK(again["revocations"][0]["issuer_notified"] == true);
  CHECK(f.ca.revoked == std::vector<std::string>{"iss-a/5E/keyCompromise"});
}

TEST_CASE("an archived certificate stays archived when revoked", "[revocation]") {
  Fixture f;
  f.db.certificate("mc-gone", {.status = "Archived"});
  f.db.version("mc-gone", "AA");
  auto result = f.revoke("mc-gone");
  CHECK(result["status"] == "Archived");
  CHECK_FALSE(result["revoked_at"].get<std::string>().empty());
  CHECK(result["revocations"].size() == 1);
}

TEST_CASE("bulk revocation by profile, team and agent group", "[revocation][bulk]") {
  Fixture f;
  f.db.profile("prof-web", 0);
  f.db.profile("prof-db", 0);
  f.db.team("team-a");
  f.db.team("team-b");
  f.db.agent("a-linux", "linux");
  f.db.agent("a-win", "windows");
  f.db.certificate("mc-1", {.profile = "prof-web", .team = "team-a", .agent = "a-linux"});
  f.db.certificate("mc-2", {.profile = "prof-web", .team = "team-b", .agent = "a-win"});
  f.db.certificate("mc-3", {.profile = "prof-db", .team = "team-a", .agent = "a-linux"});
  f.db.certificate("mc-4", {.profile = "prof-web", .team = "team-a"});  // no version yet
  f.db.certificate("mc-5", {.profile = "prof-web", .status = "Archived"});
  for (const char* id : {"mc-1", "mc-2", "mc-3", "mc-5"})
    f.db.version(id, std::string("1") + id[3]);

  SECTION("profile: every match, the unissued one skipped, the archived one untouched") {
    auto r = f.service.bulkRevoke({{"reason", "cessationOfOperation"}, {"profile_id", "prof-web"}},
                                  f.actor);
    CHECK(r["matched"] == 3);
    CHECK(r["revoked"] == 2);
    CHECK(r["skipped"] == 1);
    CHECK(r["failed"] == 0);
    std::map<std::string, std::string> status;
    for (const auto& item : r["results"]) status[item["certificate_id"]] = item["status"];
    CHECK(status == std::map<std::string, std::string>{
                        {"mc-1", "revoked"}, {"mc-2", "revoked"}, {"mc-4", "skipped"}});
    CHECK(f.certificateRow("mc-5")["status"] == "Archived");
    CHECK(f.certificateRow("mc-3")["status"] == "Active");
    CHECK(f.certificateRow("mc-1")["revocation_reason"] == "cessationOfOperation");
    CHECK(f.audit.withAction("certificate.revoked").size() == 2);
    auto bulk = f.audit.withAction("certificate.bulk_revoked");
    REQUIRE(bulk.size() == 1);
    CHECK(bulk[0].details["criteria"] == json{{"profile_id", "prof-web"}});

    // Again: all already revoked (or unissued) now.
    auto again =
        f.service.bulkRevoke({{"reason", "superseded"}, {"profile_id", "prof-web"}}, f.actor);
    CHECK(again["revoked"] == 0);
    CHECK(again["skipped"] == 3);
  }
  SECTION("team AND profile") {
    auto r = f.service.bulkRevoke(
        {{"reason", "superseded"}, {"team_id", "team-a"}, {"profile_id", "prof-db"}}, f.actor);
    CHECK(r["matched"] == 1);
    CHECK(r["results"][0]["certificate_id"] == "mc-3");
    CHECK(r["revoked"] == 1);
  }
  SECTION("agent group: the certificates of its member agents") {
    f.resources.create(*domain::findResource("agent-groups"),
                       {{"id", "ag-linux"}, {"name", "linux"}, {"match_os", "linux"}});
    auto r = f.service.bulkRevoke({{"reason", "keyCompromise"}, {"agent_group_id", "ag-linux"}},
                                  f.actor);
    CHECK(r["matched"] == 2);
    CHECK(r["revoked"] == 2);
    CHECK(f.certificateRow("mc-2")["status"] == "Active");
  }
  SECTION("certificate_ids narrow the selection") {
    auto r = f.service.bulkRevoke({{"reason", "superseded"},
                                   {"profile_id", "prof-web"},
                                   {"certificate_ids", {"mc-2", "mc-3"}}},
                                  f.actor);
    CHECK(r["matched"] == 1);
    CHECK(r["results"][0]["certificate_id"] == "mc-2");
  }
  SECTION("bad requests") {
    std::string field;
    CHECK(errorKindOf(
              [&] {
                f.service.bulkRevoke({{"reason", "superseded"}}, f.actor);
              },
              &field) == domain::ErrorKind::BadRequest);
    CHECK(field == "body");
    CHECK(errorKindOf(
              [&] {
                f.service.bulkRevoke({{"profile_id", "prof-web"}}, f.actor);
              },
              &field) == domain::ErrorKind::BadRequest);
    CHECK(field == "reason");
    CHECK(errorKindOf(
              [&] {
                f.service.bulkRevoke({{"reason", "superseded"}, {"team", "team-a"}}, f.actor);
              },
              &field) == domain::ErrorKind::BadRequest);
    CHECK(field == "team");
    CHECK(errorKindOf(
              [&] {
                f.service.bulkRevoke({{"reason", "superseded"}, {"certificate_ids", "mc-1"}},
                                     f.actor);
              },
              &field) == domain::ErrorKind::BadRequest);
    CHECK(field == "certificate_ids");
    CHECK(f.db.store.revocations("mc-1").empty());
  }
}
