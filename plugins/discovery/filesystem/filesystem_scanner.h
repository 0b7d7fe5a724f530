#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "scan_config.h"

namespace certctl::discovery::filesystem {

// One scan: walks the roots depth-first (entries in name order), reads every
// regular file with a certificate extension up to the size limit and
// reports each certificate it holds. A directory reached twice (a symlink
// loop, a bind mount) is walked once. Nothing but CERTIFICATE blocks is ever
// decoded, and buffers that held a private key are wiped.
class FilesystemScanner {
 public:
  explicit FilesystemScanner(const ScanConfig& config) : config_(config) {}

  // The discovery_v1 scan result: {"certificates": [...], "errors": [...],
  // "summary": {files_read, certificates_found, skipped_too_large,
  // skipped_private_key, errors, scan_duration_ms}}.
  nlohmann::json scan(const std::vector<std::filesystem::path>& roots);

 private:
  void walk(const std::filesystem::path& dir, int depth);
  void visitEntry(const std::filesystem::path& path, int depth);
  void readFile(const std::filesystem::path& path);
  void report(const std::filesystem::path& path, const std::string& message);

  const ScanConfig& config_;
  std::set<std::pair<dev_t, ino_t>> visitedDirs_;
  nlohmann::json certificates_ = nlohmann::json::array();
  nlohmann::json errors_ = nlohmann::json::array();
  long long filesRead_ = 0;
  long long skippedTooLarge_ = 0;
  long long skippedPrivateKey_ = 0;
};

}  // namespace certctl::discovery::filesystem
