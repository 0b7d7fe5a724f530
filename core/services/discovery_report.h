#pragma once

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "sdk/pki/certificate_summary.h"

namespace certctl::services {

// One certificate of a scan report, as the server will store it: the
// facts are read from the certificate itself, never taken from the client.
struct DiscoveredCertificate {
  certctl::sdk::pki::CertificateSummary summary;
  std::string pem;
  std::string sourcePath;    // file path, "ip:port", "aws-sm://..."
  std::string sourceFormat;  // "PEM", "DER", ... ("" = not said)
};

// POST /agents/{id}/discoveries, validated.
struct DiscoveryReport {
  std::string source = "filesystem";
  std::vector<std::string> directories;
  std::vector<DiscoveredCertificate> certificates;  // unique per (fingerprint, source_path)
  long long errorsCount = 0;
  long long scanDurationMs = 0;
  std::string startedAt;  // RFC 3339; "" = when the report arrived
};

// Body: {"certificates": [{"pem_data", "source_path", "source_format"?,
// "fingerprint_sha256"?}], "directories"?: [...], "errors"?: [...],
// "scan_duration_ms"?, "started_at"?, "source"?}. Throws
// domain::ApiError(BadRequest) naming the first bad field
// ("certificates[3].pem_data").
DiscoveryReport parseDiscoveryReport(const nlohmann::json& body);

}  // namespace certctl::services
