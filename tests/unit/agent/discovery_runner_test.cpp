// The agent's discovery reports: the plugin's scan result turned into the
// bodies of POST /agents/{id}/discoveries, split when they grow large.
#include <catch2/catch.hpp>

#include "agent/discovery_runner.h"

using certctl::agent::discoveryReports;
using nlohmann::json;

namespace {

json finding(int i) {
  return {{"cert_pem", std::string(100, 'A' + i % 26)},
          {"fingerprint_sha256", std::string(64, 'a')},
          {"source", "filesystem"},
          {"location", "/etc/ssl/c" + std::to_string(i) + ".pem"},
          {"metadata", {{"source_format", i % 2 ? "DER" : "PEM"}, {"common_name", "x"}}}};
}

}  // namespace

TEST_CASE("agent discovery: a scan result becomes report bodies", "[agent][discovery]") {
  json result = {{"certificates", {finding(0), finding(1)}},
                 {"errors", {{{"location", "/etc/ssl/x.pem"}, {"message", "denied"}}}},
                 {"summary", {{"scan_duration_ms", 17}}}};
  auto reports = discoveryReports(result, {"/etc/ssl"}, "2026-11-22T10:00:00Z", 512 * 1024);
  REQUIRE(reports.size() == 1);
  const auto& r = reports[0];
  CHECK(r["source"] == "filesystem");
  CHECK(r["directories"] == json{"/etc/ssl"});
  CHECK(r["scan_duration_ms"] == 17);
  CHECK(r["started_at"] == "2026-11-22T10:00:00Z");
  CHECK(r["errors"].size() == 1);
  REQUIRE(r["certificates"].size() == 2);
  CHECK(r["certificates"][1] == json{{"pem_data", std::string(100, 'B')},
                                     {"source_path", "/etc/ssl/c1.pem"},
                                     {"fingerprint_sha256", std::string(64, 'a')},
                                     {"source_format", "DER"}});
}

TEST_CASE("agent discovery: large scans are split, empty ones still reported",
          "[agent][discovery]") {
  json many = json::array();
  for (int i = 0; i < 10; ++i) many.push_back(finding(i));
  auto reports = discoveryReports({{"certificates", many}}, {"/srv"}, "2026-11-22T10:00:00Z", 600);
  REQUIRE(reports.size() == 5);  // ~250 bytes per entry, two per report
  std::size_t total = 0;
  for (const auto& r : reports) {
    CHECK(r["certificates"].size() == 2);
    total += r["certificates"].size();
  }
  CHECK(total == 10);
  CHECK(reports[1]["errors"].empty());  // errors go with the first report only

  auto none = discoveryReports({{"certificates", json::array()}}, {"/srv"}, "t", 600);
  REQUIRE(none.size() == 1);
  CHECK(none[0]["certificates"].empty());
}
