// The filesystem discovery plugin ("filesystem"): finds the certificate
// files under configured directories (PEM bundles and DER files) and
// reports every certificate with the facts an inventory needs. Private keys
// are skipped, never reported.
#include <nlohmann/json.hpp>

#include "filesystem_scanner.h"
#include "scan_config.h"
#include "sdk/plugin/discovery.h"
#include "sdk/plugin/export.h"

#ifndef CERTCTL_DISCOVERY_PLUGIN_VERSION
#define CERTCTL_DISCOVERY_PLUGIN_VERSION "0.0.0"
#endif

namespace certctl::discovery::filesystem {

constexpr const char* kSchema = R"json({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "Filesystem discovery",
  "description": "Walks directories for certificate files (.pem .crt .cer .cert .der; PEM bundles and DER) and reports each certificate: SHA-256 fingerprint, subject, SANs, serial, issuer, validity, key, CA flag and path. Files that hold only private keys, or are named like key files, are skipped.",
  "type": "object",
  "required": ["paths"],
  "properties": {
    "paths": {"type": "array", "minItems": 1, "maxItems": 64, "items": {"type": "string"}, "description": "Absolute directories (or files) to scan, recursively"},
    "max_file_bytes": {"type": "integer", "minimum": 1, "maximum": 16777216, "default": 1048576, "description": "Larger files are skipped unread"},
    "max_depth": {"type": "integer", "minimum": 0, "maximum": 256, "default": 32, "description": "Directory levels below each path"},
    "follow_symlinks": {"type": "boolean", "default": true, "description": "Follow symbolic links (directory loops are detected and walked once)"}
  }
})json";

// A scan request may name its own "paths" (same rules as the config's);
// otherwise the configured ones are scanned.
class FilesystemDiscovery : public certctl::sdk::Discovery {
 public:
  explicit FilesystemDiscovery(const nlohmann::json& config) : config_(parseScanConfig(config)) {}

  static void validateConfig(const nlohmann::json& config) { parseScanConfig(config); }

  nlohmann::json scan(const nlohmann::json& request) override {
    auto roots = config_.paths;
    auto it = request.find("paths");
    if (it != request.end() && !it->is_null() && !(it->is_array() && it->empty()))
      roots = parsePathList(*it, "paths", false);
    FilesystemScanner scanner(config_);
    return scanner.scan(roots);
  }

 private:
  ScanConfig config_;
};

}  // namespace certctl::discovery::filesystem

CERTCTL_EXPORT_DISCOVERY(certctl::discovery::filesystem::FilesystemDiscovery, "filesystem",
                         CERTCTL_DISCOVERY_PLUGIN_VERSION, certctl::discovery::filesystem::kSchema)
