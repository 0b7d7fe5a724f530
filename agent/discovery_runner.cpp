#include "agent/discovery_runner.h"

#include <stdexcept>

#include "sdk/pki/certificate_summary.h"

namespace certctl::agent {

using nlohmann::json;

namespace {

constexpr const char* kPluginType = "filesystem";

std::string text(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

DiscoveryRunner::DiscoveryRunner(std::vector<std::string> directories,
                                 std::chrono::milliseconds interval, std::size_t maxReportBytes)
    : directories_(std::move(directories)), interval_(interval), maxReportBytes_(maxReportBytes) {}

bool DiscoveryRunner::due(std::chrono::steady_clock::time_point now) const {
  return enabled() &&
         (lastScan_ == std::chrono::steady_clock::time_point{} || now - lastScan_ >= interval_);
}

std::vector<json> DiscoveryRunner::scan(plugins::PluginHost& plugins) {
  if (!plugins.has(plugins::PluginKind::Discovery, kPluginType)) {
    plugins.scan();  // installed since the start?
    if (!plugins.has(plugins::PluginKind::Discovery, kPluginType))
      throw std::runtime_error("discovery: the filesystem discovery plugin is not installed");
  }
  std::string startedAt = certctl::sdk::pki::formatUtc(std::chrono::system_clock::now());
  auto plugin = plugins.createDiscovery(kPluginType, {{"paths", directories_}});
  json result = plugin->scan(json::object());
  return discoveryReports(result, directories_, startedAt, maxReportBytes_);
}

std::vector<json> discoveryReports(const json& scanResult,
                                   const std::vector<std::string>& directories,
                                   const std::string& startedAt, std::size_t maxReportBytes) {
  json errors = scanResult.value("errors", json::array());
  if (!errors.is_array()) errors = json::array();
  long long durationMs = 0;
  if (scanResult.contains("summary") && scanResult["summary"].is_object())
    durationMs = scanResult["summary"].value("scan_duration_ms", 0LL);
  auto newReport = [&] {
    return json{{"source", "filesystem"},         {"directories", directories},
                {"certificates", json::array()},  {"errors", json::array()},
                {"scan_duration_ms", durationMs}, {"started_at", startedAt}};
  };
  std::vector<json> reports{newReport()};
  reports.back()["errors"] = errors;
  std::size_t bytes = 0;
  const json found = scanResult.value("certificates", json::array());
  for (const auto& c : found) {
    if (!c.is_object()) continue;
    json entry = {{"pem_data", text(c, "cert_pem")},
                  {"source_path", text(c, "location")},
                  {"fingerprint_sha256", text(c, "fingerprint_sha256")}};
    if (c.contains("metadata") && c["metadata"].is_object())
      entry["source_format"] = text(c["metadata"], "source_format");
    std::size_t size = entry.dump().size();
    if (bytes > 0 && bytes + size > maxReportBytes) {
      reports.push_back(newReport());
      bytes = 0;
    }
    reports.back()["certificates"].push_back(std::move(entry));
    bytes += size;
  }
  return reports;
}

}  // namespace certctl::agent
