// CERTCTL_DATABASE_URL with ?host=/dir reaches PostgreSQL over its
// Unix-domain socket (libpq's URI form; Debian's /var/run/postgresql), and
// anything but an absolute directory there is refused before connecting.
#include <catch2/catch.hpp>

#include <filesystem>

#include "tests/support/test_database.h"

using certctl::store::Database;
using certctl::testing::TestDatabase;

TEST_CASE("a PostgreSQL URL with host=/dir connects over the Unix socket", "[store][postgres]") {
  if (TestDatabase::dialectFromEnvironment() != "postgres") {
    WARN("PostgreSQL only");
    return;
  }
  // pg_cluster.sh keeps the socket in DIR/cluster/sock beside DIR/url.
  const auto socketDir =
      std::filesystem::path(std::getenv("CERTCTL_TEST_PG_URL_FILE")).parent_path() / "cluster" /
      "sock";
  REQUIRE(std::filesystem::is_directory(socketDir));
  const std::string tcpUrl = TestDatabase::postgresAdminUrl();

  auto viaSocket = Database::open(tcpUrl + "?host=" + socketDir.string(), 1);
  auto lease = viaSocket->acquire();
  // inet_server_addr() is NULL on a Unix-domain connection.
  auto rows = lease.run("SELECT inet_server_addr() IS NULL");
  REQUIRE(rows.rows.size() == 1);
  CHECK(rows.rows[0][0].value_or("") == "t");

  auto viaTcp = Database::open(tcpUrl, 1);
  auto tcpLease = viaTcp->acquire();
  CHECK(tcpLease.run("SELECT inet_server_addr() IS NULL").rows[0][0].value_or("") == "f");

  CHECK_THROWS_WITH(Database::open(tcpUrl + "?host=relative/dir", 1),
                    Catch::Contains("absolute socket directory"));
  CHECK_THROWS_WITH(Database::open(tcpUrl + "?host=/dir%20with%20space", 1),
                    Catch::Contains("must not contain spaces"));
}
