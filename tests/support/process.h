#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

namespace certctl::testing {

struct ProcessResult {
  int exitCode = -1;   // -1: killed by the timeout or a signal
  std::string output;  // stdout and stderr, interleaved
};

// Runs argv (no shell) with extra environment variables, waits up to `timeout`.
ProcessResult runProcess(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env = {},
                         std::chrono::seconds timeout = std::chrono::seconds(60),
                         const std::string& stdinData = {});

// A loopback TCP port that was free a moment ago.
int freeLoopbackPort();

// Sends SIGTERM to `pid` and reaps it; SIGKILL when it has not exited within
// `grace`. Its exit status, -1 when it was killed or died of a signal.
int stopProcess(int pid, std::chrono::milliseconds grace);

}  // namespace certctl::testing
