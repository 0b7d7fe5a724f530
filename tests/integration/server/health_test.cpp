// Probes and shutdown of the real certctl-server.
#include <catch2/catch.hpp>

#include "tests/integration/server/server_test_util.h"
#include "tests/support/server_process.h"

using namespace certctl::testing;
using namespace certctl::testing::server;

TEST_CASE("/health and /ready answer without a key, and SIGTERM exits 0", "[server][health]") {
  ServerProcess server;

  auto health = server.request("GET", "/health", {}, {}, "-");
  REQUIRE(health.status == 200);
  CHECK(health.header("content-type").find("application/json") != std::string::npos);
  CHECK(health.json() == nlohmann::json{{"status", "healthy"}});

  auto ready = server.request("GET", "/ready", {}, {}, "-");
  INFO(ready.body);
  REQUIRE(ready.status == 200);
  CHECK(ready.json()["status"] == "ready");
  CHECK(ready.json()["checks"]["database"] == "ok");
  CHECK(ready.json()["checks"]["migrations"] == "ok");

  // Probes are not API calls: a wrong key is not a reason to fail them.
  CHECK(server.request("GET", "/health", {}, {}, "wrong-key-0123456789abcdef").status == 200);
  // Probes accept GET (and HEAD) only.
  auto post = server.request("POST", "/health", "{}", {}, "-");
  CHECK(post.status == 405);
  CHECK(post.header("allow").find("GET") != std::string::npos);
  auto head = server.request("HEAD", "/health", {}, {}, "-");
  CHECK(head.status == 200);
  CHECK(head.body.empty());

  // Every response is marked uncacheable and unsniffable.
  CHECK(health.header("cache-control") == "no-store");
  CHECK(health.header("x-content-type-options") == "nosniff");

  // Start-up said where clients find the CA and the key, without the key itself.
  auto log = server.log();
  CHECK(log.find("ca.crt") != std::string::npos);
  CHECK(log.find("api-key") != std::string::npos);
  CHECK(log.find(server.apiKey()) == std::string::npos);

  int port = server.port();
  CHECK(server.stop() == 0);
  auto after = server.log();
  CHECK(after.find("shutting down") != std::string::npos);
  CHECK_THROWS(requestOnce(port, server.caFile(), "GET", "/health"));
}
