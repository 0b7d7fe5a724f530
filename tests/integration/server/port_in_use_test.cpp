// A second server on a port that is already taken must fail to start, not
// share the port (SO_REUSEPORT) and take half of the first one's clients.
#include <catch2/catch.hpp>

#include "tests/integration/server/server_test_util.h"
#include "tests/support/process.h"
#include "tests/support/server_process.h"

using namespace certctl::testing;
using namespace certctl::testing::server;
using namespace std::chrono_literals;

TEST_CASE("a second server on a busy port refuses to start", "[server]") {
  ServerProcess first;
  TempDir data;
  auto result =
      runProcess({serverBinary()},
                 isolatedEnvironment({{"CERTCTL_DATA_DIR", data.path().string()},
                                      {"CERTCTL_SERVER_PORT", std::to_string(first.port())},
                                      {"CERTCTL_LOG_FORMAT", "text"}}),
                 30s);
  INFO(result.output);
  CHECK(result.exitCode == 1);
  CHECK_THAT(result.output, Catch::Matchers::Contains("in use"));
  // The first server still answers every request.
  for (int i = 0; i < 20; ++i) CHECK(first.get("/health").status == 200);
}
