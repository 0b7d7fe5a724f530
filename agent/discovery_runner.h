#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

#include "core/plugins/plugin_host.h"

namespace certctl::agent {

// Filesystem discovery on the agent (CERTCTL_DISCOVERY_DIRS): runs the
// "filesystem" discovery plugin over the directories on start and then
// every `interval`, and turns its result into the bodies of
// POST /agents/{id}/discoveries. A scan that yields more than
// `maxReportBytes` of certificates is sent as several reports.
class DiscoveryRunner {
 public:
  DiscoveryRunner(std::vector<std::string> directories, std::chrono::milliseconds interval,
                  std::size_t maxReportBytes = 512 * 1024);

  bool enabled() const { return !directories_.empty(); }
  // True when no scan ran yet or the last one is `interval` old.
  bool due(std::chrono::steady_clock::time_point now) const;

  // Scans now and returns the report bodies (at least one, even when nothing
  // was found, so the server records the scan). Throws std::runtime_error
  // when the plugin is missing or refuses the directories.
  std::vector<nlohmann::json> scan(plugins::PluginHost& plugins);
  // Marks the scan as done (call once its reports were accepted).
  void markDone(std::chrono::steady_clock::time_point now) { lastScan_ = now; }

 private:
  std::vector<std::string> directories_;
  std::chrono::milliseconds interval_;
  std::size_t maxReportBytes_;
  std::chrono::steady_clock::time_point lastScan_{};
  bool scanned_ = false;
};

// The plugin's scan result as report bodies (see DiscoveryRunner).
std::vector<nlohmann::json> discoveryReports(const nlohmann::json& scanResult,
                                             const std::vector<std::string>& directories,
                                             const std::string& startedAt,
                                             std::size_t maxReportBytes);

}  // namespace certctl::agent
