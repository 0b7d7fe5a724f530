// The repository suite: the same assertions on SQLite and on PostgreSQL
// (ctest runs this binary once per dialect).
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "core/domain/errors.h"
#include "core/domain/resources.h"
#include "core/services/resource_service.h"
#include "core/store/migrator.h"
#include "core/store/sql_resource_repository.h"
#include "tests/support/test_database.h"

using namespace certctl;
using nlohmann::json;

namespace {

struct Fixture {
  testing::TestDatabase database{testing::TestDatabase::dialectFromEnvironment()};
  store::SqlResourceRepository repository{database.db()};
  services::ResourceService service{repository};

  const domain::ResourceSpec& spec(const std::string& name) {
    auto* s = domain::findResource(name);
    REQUIRE(s);
    return *s;
  }

  // An issuer every certificate can point at.
  std::string issuer() {
    static const std::string body = R"({"name":"Local","type":"GenericCA","config":{"k":1}})";
    if (issuerId_.empty()) issuerId_ = service.create(spec("issuers"), json::parse(body))["id"];
    return issuerId_;
  }

  json certificate(const std::string& name, const json& extra = json::object()) {
    json body = {{"name", name}, {"common_name", name + ".example.com"}, {"issuer_id", issuer()}};
    body.update(extra);
    return service.create(spec("certificates"), body);
  }

 private:
  std::string issuerId_;
};

std::vector<std::string> ids(const std::vector<json>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r["id"]);
  return out;
}

}  // namespace

TEST_CASE_METHOD(Fixture, "migrations are idempotent and reported as applied", "[store]") {
  store::Migrator migrator(database.db(), store::findMigrationsRoot(""));
  CHECK(migrator.applyPending().empty());
  CHECK(migrator.upToDate());
}

TEST_CASE_METHOD(Fixture, "typed fields round-trip through the database", "[store]") {
  auto created = certificate("api-prod", {{"sans", {"a.example.com", "b.example.com"}},
                                          {"environment", "production"},
                                          {"expires_at", "2027-01-02T03:04:05+02:00"},
                                          {"tags", {{"team", "platform"}, {"tier", 1}}}});
  CHECK(created["id"].get<std::string>().rfind("mc-api-prod-", 0) == 0);
  CHECK(created["sans"] == json({"a.example.com", "b.example.com"}));
  CHECK(created["expires_at"] == "2027-01-02T01:04:05Z");  // normalized to UTC
  CHECK(created["tags"]["tier"] == 1);
  CHECK(created["status"] == "Pending");
  CHECK(created["owner_id"].is_null());

  auto policy = service.create(spec("renewal-policies"),
                               {{"name", "fast"}, {"renewal_window_days", 14}, {"auto_renew", false}});
  CHECK(policy["renewal_window_days"] == 14);
  CHECK(policy["auto_renew"] == false);

  auto updated = service.update(spec("certificates"), created["id"],
                                {{"environment", "staging"}, {"renewal_policy_id", policy["id"]}});
  CHECK(updated["environment"] == "staging");
  CHECK(updated["renewal_policy_id"] == policy["id"]);
  CHECK(updated["common_name"] == "api-prod.example.com");
}

TEST_CASE_METHOD(Fixture, "invalid input is refused before anything is written", "[store]") {
  auto& certs = spec("certificates");
  auto countAll = [&] {
    domain::ListQuery q;
    return *service.list(certs, q).total;
  };
  auto before = countAll();
  issuer();
  struct Case {
    json body;
    std::string field;
  };
  std::vector<Case> cases = {
      {{{"name", "x"}, {"issuer_id", issuer()}}, "common_name"},
      {{{"name", 5}, {"common_name", "x"}, {"issuer_id", issuer()}}, "name"},
      {{{"name", "x"}, {"common_name", "x"}, {"issuer_id", "iss-nope"}}, "issuer_id"},
      {{{"name", "x"}, {"common_name", "x"}, {"issuer_id", issuer()}, {"status", "Active"}},
       "status"},
      {{{"name", "x"}, {"common_name", "x"}, {"issuer_id", issuer()}, {"sans", "a"}}, "sans"},
      {{{"name", "x"}, {"common_name", "x"}, {"issuer_id", issuer()}, {"expires_at", "soon"}},
       "expires_at"},
      {{{"name", "x"}, {"common_name", "x"}, {"issuer_id", issuer()}, {"bogus", 1}}, "bogus"},
      {{{"name", "x"}, {"common_name", "x"}, {"issuer_id", issuer()}, {"owner_id", "o-ghost"}},
       "owner_id"},
  };
  for (const auto& c : cases) {
    INFO(c.body.dump());
    try {
      service.create(certs, c.body);
      FAIL("accepted invalid body");
    } catch (const domain::ApiError& e) {
      CHECK(e.kind() == domain::ErrorKind::BadRequest);
      CHECK(e.field() == c.field);
    }
  }
  CHECK(countAll() == before);
}

TEST_CASE_METHOD(Fixture, "unique names and references in use are conflicts", "[store]") {
  auto& teams = spec("teams");
  auto team = service.create(teams, {{"name", "Platform"}});
  CHECK_THROWS_AS(service.create(teams, {{"name", "Platform"}}), domain::ApiError);
  auto owner = service.create(spec("owners"),
                              {{"name", "Alice"}, {"email", "alice@example.com"}, {"team_id", team["id"]}});
  try {
    service.remove(teams, team["id"]);
    FAIL("deleted a team that an owner still references");
  } catch (const domain::ApiError& e) {
    CHECK(e.kind() == domain::ErrorKind::Conflict);
  }
  CHECK(repository.exists(teams, team["id"]));
  service.remove(spec("owners"), owner["id"]);
  service.remove(teams, team["id"]);
  CHECK_FALSE(repository.exists(teams, team["id"]));
}

TEST_CASE_METHOD(Fixture, "DELETE archives a certificate instead of removing it", "[store]") {
  auto cert = certificate("to-archive");
  service.remove(spec("certificates"), cert["id"]);
  CHECK(service.get(spec("certificates"), cert["id"])["status"] == "Archived");
}

TEST_CASE_METHOD(Fixture, "sorting, filters, paging and keyset cursors agree", "[store]") {
  auto& certs = spec("certificates");
  // 37 certificates: some without expiry (NULL), some sharing an expiry.
  for (int i = 0; i < 37; ++i) {
    json extra = {{"environment", i % 3 == 0 ? "production" : "staging"}};
    if (i % 5 != 0)
      extra["expires_at"] = "2027-0" + std::to_string(1 + i % 4) + "-15T00:00:00Z";
    certificate("cert-" + std::to_string(100 + i), extra);
  }

  SECTION("page mode returns totals and disjoint pages") {
    domain::ListQuery q;
    q.perPage = 10;
    q.sortColumn = "name";
    q.descending = false;
    std::vector<std::string> seen;
    for (q.page = 1; q.page <= 4; ++q.page) {
      auto page = service.list(certs, q);
      CHECK(*page.total == 37);
      for (auto& id : ids(page.items)) seen.push_back(id);
    }
    CHECK(seen.size() == 37);
    CHECK(std::set<std::string>(seen.begin(), seen.end()).size() == 37);
  }

  SECTION("keyset walk visits every row once, in order, across NULLs and ties") {
    for (bool descending : {true, false}) {
      domain::ListQuery q;
      q.keyset = true;
      q.perPage = 7;
      q.sortColumn = "expires_at";
      q.descending = descending;
      std::vector<json> rows;
      for (int guard = 0; guard < 20; ++guard) {
        auto page = service.list(certs, q);
        CHECK_FALSE(page.total.has_value());
        for (auto& r : page.items) rows.push_back(r);
        if (!page.next) break;
        q.after = page.next;
      }
      REQUIRE(rows.size() == 37);
      auto key = [](const json& r) {
        return std::make_pair(r["expires_at"].is_null() ? std::string() : r["expires_at"].get<std::string>(),
                              r["id"].get<std::string>());
      };
      for (size_t i = 1; i < rows.size(); ++i) {
        if (descending)
          CHECK(key(rows[i - 1]) > key(rows[i]));
        else
          CHECK(key(rows[i - 1]) < key(rows[i]));
      }
    }
  }

  SECTION("equality and time-range filters") {
    domain::ListQuery q;
    q.perPage = 500;
    q.equals.push_back({"environment", "production"});
    auto prod = service.list(certs, q);
    CHECK(*prod.total == 13);
    for (auto& r : prod.items) CHECK(r["environment"] == "production");

    domain::ListQuery range;
    range.perPage = 500;
    range.ranges.push_back({"expires_at", true, "2027-03-01T00:00:00Z"});
    range.ranges.push_back({"expires_at", false, "2027-01-31T00:00:00Z"});
    auto feb = service.list(certs, range);
    REQUIRE(*feb.total > 0);
    for (auto& r : feb.items) CHECK(r["expires_at"] == "2027-02-15T00:00:00Z");
  }

  SECTION("sparse fields return only what was asked") {
    domain::ListQuery q;
    q.fields = {"common_name", "status"};
    auto page = service.list(certs, q);
    REQUIRE_FALSE(page.items.empty());
    for (auto& r : page.items) {
      CHECK(r.size() == 3);
      CHECK(r.contains("id"));
      CHECK(r.contains("common_name"));
    }
  }
}

TEST_CASE_METHOD(Fixture, "the database refuses to change or delete audit events", "[store]") {
  auto lease = database.db().acquire();
  bool pg = database.db().dialect() == store::Dialect::Postgres;
  database.db().executeScript(
      *lease, std::string("INSERT INTO audit_events (id, timestamp, actor, actor_type, action, "
                          "resource_type, resource_id) VALUES ('ae-t1', ") +
                  (pg ? "now()" : "'2026-01-01T00:00:00Z'") +
                  ", 'alice', 'api_key', 'certificate.created', 'certificates', 'mc-1')");
  CHECK_THROWS(database.db().executeScript(*lease, "UPDATE audit_events SET actor = 'mallory'"));
  CHECK_THROWS(database.db().executeScript(*lease, "DELETE FROM audit_events"));
  if (pg) CHECK_THROWS(database.db().executeScript(*lease, "TRUNCATE audit_events"));
  int count = 0;
  *lease << "SELECT COUNT(*) FROM audit_events WHERE actor = 'alice'",
      Poco::Data::Keywords::into(count), Poco::Data::Keywords::now;
  CHECK(count == 1);
}
