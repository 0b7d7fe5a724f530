// The --demo data set: a realistic inventory in every certificate status,
// consistent references, 90 days of history, and a second seed that
// changes nothing. Runs on SQLite, and on PostgreSQL too when the test
// cluster's URL file is available (CERTCTL_TEST_PG_URL_FILE).
#include <catch2/catch.hpp>

#include <Poco/Data/Statement.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "core/domain/timestamps.h"
#include "core/store/demo_seed.h"
#include "tests/support/test_database.h"

using namespace certctl;
using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;

namespace {

const char* const kTables[] = {
    "teams",
    "owners",
    "agent_groups",
    "agent_group_members",
    "agents",
    "issuers",
    "certificate_profiles",
    "renewal_policies",
    "policy_rules",
    "deployment_targets",
    "managed_certificates",
    "certificate_versions",
    "certificate_target_mappings",
    "certificate_revocations",
    "jobs",
    "policy_violations",
    "notification_events",
    "audit_events",
    "discovery_scans",
    "discovered_certificates",
    "network_scan_targets",
    "endpoint_health_checks",
};

long long scalar(store::Database& db, const std::string& sql) {
  auto lease = db.acquire();
  Poco::Int64 value = 0;
  *lease << sql, into(value), now;
  return value;
}

std::string text(store::Database& db, const std::string& sql) {
  auto lease = db.acquire();
  std::string value;
  *lease << sql, into(value), now;
  return value;
}

std::map<std::string, long long> rowCounts(store::Database& db) {
  std::map<std::string, long long> counts;
  for (const char* table : kTables)
    counts[table] = scalar(db, std::string("SELECT COUNT(*) FROM ") + table);
  return counts;
}

// Timestamps as the API's fixed text form, whichever the dialect.
std::string asText(store::Database& db, const std::string& column) {
  if (db.dialect() == store::Dialect::Sqlite) return column;
  return "to_char(" + column + " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')";
}

void checkDemoData(store::Database& db) {
  const std::size_t reported = store::seedDemoData(db);
  const auto counts = rowCounts(db);

  long long total = 0;
  for (const auto& [table, n] : counts) total += n;
  // A fresh database holds only demo rows, so the report equals the total.
  CHECK(reported == static_cast<std::size_t>(total));

  const long long certificates = counts.at("managed_certificates");
  CHECK(certificates >= 28);
  CHECK(certificates <= 36);
  CHECK(counts.at("teams") >= 3);
  CHECK(counts.at("owners") >= 6);
  CHECK(counts.at("issuers") >= 4);
  CHECK(counts.at("agents") >= 8);
  CHECK(counts.at("deployment_targets") >= 8);
  CHECK(counts.at("audit_events") >= 200);
  CHECK(counts.at("certificate_versions") >= certificates);

  SECTION("every certificate status is represented") {
    for (const char* status : {"Pending", "Active", "Expiring", "Expired", "RenewalInProgress",
                               "Failed", "Revoked", "Archived"}) {
      INFO(status);
      CHECK(scalar(db, std::string("SELECT COUNT(*) FROM managed_certificates WHERE status = '") +
                           status + "'") > 0);
    }
  }

  SECTION("every job type and job status is represented") {
    for (const char* type : {"Issuance", "Renewal", "Deployment", "Validation"}) {
      INFO(type);
      CHECK(scalar(db, std::string("SELECT COUNT(*) FROM jobs WHERE type = '") + type + "'") > 0);
    }
    for (const char* status : {"Pending", "AwaitingCSR", "AwaitingApproval", "Running", "Completed",
                               "Failed", "Cancelled"}) {
      INFO(status);
      CHECK(scalar(db, std::string("SELECT COUNT(*) FROM jobs WHERE status = '") + status + "'") >
            0);
    }
  }

  SECTION("certificate references resolve") {
    CHECK(
        scalar(db,
               "SELECT COUNT(*) FROM managed_certificates c "
               "WHERE NOT EXISTS (SELECT 1 FROM issuers i WHERE i.id = c.issuer_id) "
               "OR NOT EXISTS (SELECT 1 FROM owners o WHERE o.id = c.owner_id) "
               "OR NOT EXISTS (SELECT 1 FROM teams t WHERE t.id = c.team_id) "
               "OR NOT EXISTS (SELECT 1 FROM renewal_policies r WHERE r.id = c.renewal_policy_id) "
               "OR NOT EXISTS (SELECT 1 FROM certificate_profiles p "
               "               WHERE p.id = c.certificate_profile_id)") == 0);
    CHECK(scalar(db,
                 "SELECT COUNT(*) FROM deployment_targets t "
                 "WHERE NOT EXISTS (SELECT 1 FROM agents a WHERE a.id = t.agent_id)") == 0);
  }

  SECTION("dates agree with the statuses, relative to now") {
    const std::string nowText = domain::nowRfc3339();
    const std::string in30 =
        domain::formatRfc3339(domain::nowSeconds() + std::chrono::hours(24 * 30));
    const std::string expires = asText(db, "expires_at");
    // Expiring: in the future, within 30 days.
    CHECK(scalar(db, "SELECT COUNT(*) FROM managed_certificates WHERE status = 'Expiring' AND (" +
                         expires + " <= '" + nowText + "' OR " + expires + " > '" + in30 + "')") ==
          0);
    // Expired: in the past.
    CHECK(scalar(db, "SELECT COUNT(*) FROM managed_certificates WHERE status = 'Expired' AND " +
                         expires + " > '" + nowText + "'") == 0);
    // Active (except short-lived mTLS): more than 30 days left.
    CHECK(scalar(db,
                 "SELECT COUNT(*) FROM managed_certificates WHERE status = 'Active' "
                 "AND certificate_profile_id <> 'prof-mtls-short' AND " +
                     expires + " <= '" + in30 + "'") == 0);
    // Never issued: no expiry and no version.
    CHECK(scalar(db,
                 "SELECT COUNT(*) FROM managed_certificates c WHERE status = 'Pending' AND "
                 "(expires_at IS NOT NULL OR EXISTS (SELECT 1 FROM certificate_versions v "
                 "WHERE v.certificate_id = c.id))") == 0);
    // Revoked ones carry their revocation and appear on the revocation list.
    CHECK(scalar(db,
                 "SELECT COUNT(*) FROM managed_certificates c WHERE status = 'Revoked' AND "
                 "(revoked_at IS NULL OR revocation_reason IS NULL OR NOT EXISTS "
                 "(SELECT 1 FROM certificate_revocations r WHERE r.certificate_id = c.id))") == 0);
  }

  SECTION("the audit trail spans more than 60 days") {
    const std::string first =
        text(db, "SELECT " + asText(db, "MIN(timestamp)") + " FROM audit_events");
    const std::string last =
        text(db, "SELECT " + asText(db, "MAX(timestamp)") + " FROM audit_events");
    auto from = domain::parseRfc3339(first);
    auto to = domain::parseRfc3339(last);
    REQUIRE(from);
    REQUIRE(to);
    CHECK(*to - *from > std::chrono::hours(24 * 60));
    CHECK(*to <= domain::nowSeconds());
    CHECK(scalar(db, "SELECT COUNT(DISTINCT action) FROM audit_events") >= 8);
  }

  SECTION("seeding again changes nothing") {
    const std::size_t again = store::seedDemoData(db);
    CHECK(again == reported);
    CHECK(rowCounts(db) == counts);
  }
}

}  // namespace

// Runs on the dialect of the binary: SQLite, or PostgreSQL in ctest's postgres run.
TEST_CASE("demo data is complete, consistent and idempotent", "[demo]") {
  testing::TestDatabase database(testing::TestDatabase::dialectFromEnvironment());
  checkDemoData(database.db());
}

TEST_CASE("demo data refuses to half-seed over a clashing user record", "[demo]") {
  testing::TestDatabase database("sqlite");
  auto& db = database.db();
  {
    // Same unique name as a demo team, other id: the demo team is skipped,
    // so its owners cannot reference it.
    auto lease = db.acquire();
    *lease << "INSERT INTO teams (id, name) VALUES ('team-mine', 'Platform Engineering')", now;
  }
  CHECK_THROWS_WITH(store::seedDemoData(db), Catch::Contains("demo data"));
  // One transaction: nothing of the demo is left behind.
  CHECK(scalar(db, "SELECT COUNT(*) FROM teams") == 1);
  CHECK(scalar(db, "SELECT COUNT(*) FROM audit_events") == 0);
}
