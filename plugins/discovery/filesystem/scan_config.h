#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace certctl::discovery::filesystem {

// The plugin's config (see kSchema in filesystem_discovery.cpp).
struct ScanConfig {
  std::vector<std::filesystem::path> paths;   // directories (or files) to walk
  std::uintmax_t maxFileBytes = 1024 * 1024;  // larger files are skipped unread
  int maxDepth = 32;                          // directory levels below a path
  bool followSymlinks = true;                 // directory loops are detected either way
};

// Throws sdk::PluginError(InvalidConfig) naming the field.
ScanConfig parseScanConfig(const nlohmann::json& config);

// A "paths" array: 1-64 absolute paths without "." or ".." components.
// Throws sdk::PluginError(status) naming `field`.
std::vector<std::filesystem::path> parsePathList(const nlohmann::json& value,
                                                 const std::string& field, bool invalidConfig);

}  // namespace certctl::discovery::filesystem
