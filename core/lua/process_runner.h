#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace certctl::lua {

struct ProcessSpec {
  std::vector<std::string> argv;  // argv[0]: absolute path or a name looked up in PATH
  std::string stdinData;
  std::vector<std::pair<std::string, std::string>> env;  // the child's whole environment
  std::chrono::milliseconds timeout{30'000};
  std::size_t maxOutputBytes = 1 << 20;  // per stream; the rest is read and dropped
};

struct ProcessResult {
  int exitCode = -1;  // -1 when killed
  int signal = 0;
  bool timedOut = false;
  bool outputTruncated = false;
  std::string stdoutData;
  std::string stderrData;
};

// Runs argv directly (never a shell) in its own process group, feeding
// stdinData and capturing stdout and stderr apart; the group is killed with
// SIGKILL when the timeout passes. Throws std::runtime_error when argv is
// invalid or the program cannot be started.
ProcessResult runProcess(const ProcessSpec& spec);

}  // namespace certctl::lua
