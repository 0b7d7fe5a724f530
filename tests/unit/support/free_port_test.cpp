// freeLoopbackPort: ports below the ephemeral range, never the same one
// twice while this process lives, and reserved against other test processes
// (the lock on /tmp/certctl-test-ports/<port> is held).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <string>

#include "tests/support/process.h"

TEST_CASE("freeLoopbackPort hands out distinct ports reserved against other tests", "[support]") {
  int ephemeralLow = 32768;
  std::ifstream("/proc/sys/net/ipv4/ip_local_port_range") >> ephemeralLow;
  std::set<int> ports;
  for (int i = 0; i < 50; ++i) {
    const int port = certctl::testing::freeLoopbackPort();
    CHECK(port >= 1024);
    CHECK(port < ephemeralLow);
    CHECK(ports.insert(port).second);
  }
  // Another process (here: another open of the same file) cannot take one.
  const std::string lockFile = "/tmp/certctl-test-ports/" + std::to_string(*ports.begin());
  const int fd = ::open(lockFile.c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(fd >= 0);
  CHECK(::flock(fd, LOCK_EX | LOCK_NB) != 0);
  ::close(fd);
}
