// Database::Lease::run binds $N to the N-th value on SQLite and PostgreSQL,
// whatever order the $N markers appear in and however often (SQLite numbers
// parameters by first appearance; its statement cache maps them once).
#include <catch2/catch.hpp>

#include "tests/support/test_database.h"

using certctl::store::SqlParams;
using certctl::testing::TestDatabase;

TEST_CASE("Lease::run binds $N by number, in any order and repeated", "[store]") {
  TestDatabase database(TestDatabase::dialectFromEnvironment());
  auto lease = database.db().acquire();
  const std::string sql =
      "SELECT CAST($3 AS TEXT) || '-' || CAST($1 AS TEXT) || '-' || CAST($3 AS TEXT), "
      "CAST($2 AS TEXT) IS NULL";
  // Twice: the second run takes the cached statement and its parameter map.
  for (int round = 0; round < 2; ++round) {
    auto rows = lease.run(sql, SqlParams{"a", std::nullopt, "c"});
    REQUIRE(rows.rows.size() == 1);
    CHECK(rows.rows[0][0].value_or("") == "c-a-c");
    const std::string isNull = rows.rows[0][1].value_or("");
    CHECK((isNull == "1" || isNull == "t"));
  }
  // SQLite: a value beyond the statement's $N markers is ignored, not
  // misplaced (PostgreSQL refuses the statement instead).
  if (database.db().dialect() == certctl::store::Dialect::Sqlite) {
    auto rows = lease.run("SELECT CAST($2 AS TEXT) || CAST($1 AS TEXT)", SqlParams{"x", "y", "z"});
    CHECK(rows.rows.at(0).at(0).value_or("") == "yx");
  }
}
