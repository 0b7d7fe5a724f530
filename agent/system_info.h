#pragma once

#include <string>

namespace certctl::agent {

// What the agent reports about its host (seed 001 "Agent Metadata").
struct SystemInfo {
  std::string os;            // "linux", "darwin", ... (lowercase uname sysname)
  std::string architecture;  // "amd64", "arm64", ... (Go's names, as the seeds show)
  std::string hostname;
  std::string ipAddress;  // first non-loopback IPv4 address, else IPv6, else ""
};

SystemInfo systemInfo();

// uname's machine name in Go's spelling: x86_64 -> amd64, aarch64 -> arm64, ...
std::string goArchitecture(const std::string& machine);

}  // namespace certctl::agent
