#pragma once

// Shared by the protocol tests that drive real clients (curl, openssl,
// certmonger): read a file the client wrote, run a command that must succeed.

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/process.h"

namespace certctl::testing::protocols {

inline std::string readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs argv; the test stops (REQUIRE) unless it exits 0, showing its output.
inline void require(const std::vector<std::string>& argv) {
  auto result = runProcess(argv);
  INFO(argv[0] << " " << (argv.size() > 1 ? argv[1] : "") << ": " << result.output);
  REQUIRE(result.exitCode == 0);
}

}  // namespace certctl::testing::protocols
